/* KeyLedger: the print button of the 督办通知单 page (app/templates/office/notice.html). */
(function () {
    "use strict";

    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
        button.addEventListener("click", function () { window.print(); });
    });
}());
