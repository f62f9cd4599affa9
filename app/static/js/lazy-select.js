/*
 * KeyLedger: the search form's related-field drop-downs (issue 19, item 2). The page holds
 * only the values its filters apply; select2 (FAB's copy, 4.0.13) asks the field's
 * data-url for the others as the user opens the drop-down and types, fifty at a time.
 * FAB's ab_filters.js copies the field into each filter row it adds: every copy is set up
 * here, once, after FAB's own handlers ran.
 */
(function ($) {
    "use strict";

    function setUp(index, element) {
        var $select = $(element);
        if ($select.data("select2")) {
            return;
        }
        $select.select2({
            theme: "bootstrap",
            width: "100%",
            allowClear: true,
            placeholder: $select.data("placeholder") || "",
            ajax: {
                url: $select.data("url"),
                dataType: "json",
                delay: 250,
                cache: true,
                data: function (params) {
                    return {q: params.term || "", page: params.page || 1};
                }
            }
        });
    }

    function setUpAll() {
        $("#filter_form select.kl-lazy-select").each(setUp);
    }

    $(function () {
        setUpAll();  // the filters the page applies
        $(document).on("click", "#filter_form a.filter", setUpAll);  // a filter added
    });
}(jQuery));
