/*
 * KeyLedger (issue 18.4): a date typed or pasted as people write it ("2026年12月3日",
 * "2026/12/3", "20261203") stays in the field for the server to read
 * (app/domain/typed_input.py). bootstrap-datepicker's forceParse would rewrite or clear
 * what its yyyy-mm-dd format cannot read when the field loses focus. Loaded after FAB's
 * scripts and before the page is ready, when ab.js creates the date pickers.
 */
(function ($) {
    "use strict";
    if ($ && $.fn && $.fn.datepicker) {
        $.fn.datepicker.defaults.forceParse = false;
    }
}(window.jQuery));
