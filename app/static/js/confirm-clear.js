/*
 * KeyLedger: a multiple choice of FAB's forms (select2 4.0.13 with allowClear, as ab.js
 * makes every related field) has a clear-all × that removes every chosen item at once:
 * one stray click emptied a role's 59 permissions. Ask before it does; removing items one
 * by one (each item's own ×) is not asked. The question comes from the page, in its language.
 */
(function ($) {
    "use strict";

    if (!$) {
        return;
    }
    var script = document.currentScript;
    var message = (script && script.getAttribute("data-message")) || "Remove all {count}?";

    $(document).on("select2:clearing", "select[multiple]", function (event) {
        // select2 has emptied the select already (it puts the items back when prevented):
        // the items being removed travel with the event
        var args = event.params && event.params.args;
        var count = args && args.data ? args.data.length : 0;
        if (count > 1 && !window.confirm(message.replace("{count}", count))) {
            event.preventDefault();
        }
    });
}(window.jQuery));
