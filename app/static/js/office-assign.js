/*
 * KeyLedger: the assign-a-task form of a meeting page (app/templates/office/meeting.html).
 * Shows the deadline that "within N working days" (限时办结) gives, as the server's
 * working-day calendar computes it, and lists only the persons of the chosen department.
 * The server computes the deadline again on submit; this is only a preview.
 */
(function () {
    "use strict";

    var form = document.getElementById("assign-form");
    if (!form) {
        return;
    }
    var preview = document.getElementById("deadline-preview");
    var url = form.getAttribute("data-deadline-url");
    var asked = 0;

    function checked(name) {
        var input = form.querySelector("input[name='" + name + "']:checked");
        return input ? input.value : "";
    }

    function showDeadline() {
        var workdays = form.elements.workdays.value.trim();
        var mine = ++asked;
        if (checked("deadline_mode") !== "workdays" || workdays === "") {
            preview.textContent = "";
            return;
        }
        var query = "?workdays=" + encodeURIComponent(workdays) +
            "&assigned_from=" + encodeURIComponent(checked("assigned_from"));
        fetch(url + query, {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (response) { return response.json(); })
            .then(function (data) {
                if (mine !== asked) {
                    return;  // a later keystroke asked again
                }
                preview.textContent = data.deadline
                    ? preview.getAttribute("data-prefix") + data.deadline
                    : (data.message || "");
            })
            .catch(function () { preview.textContent = ""; });
    }

    function filterPersons() {
        var department = form.elements.department.value;
        var persons = form.elements.person;
        Array.prototype.forEach.call(persons.options, function (option) {
            var other = option.value !== "" && department !== "" &&
                option.getAttribute("data-department") !== department;
            option.hidden = other;
            option.disabled = other;
            if (other && option.selected) {
                persons.value = "";
            }
        });
    }

    form.elements.workdays.addEventListener("input", function () {
        form.querySelector("input[name='deadline_mode'][value='workdays']").checked = true;
        showDeadline();
    });
    function chooseDate() {
        form.querySelector("input[name='deadline_mode'][value='date']").checked = true;
        showDeadline();
    }
    form.elements.deadline.addEventListener("input", chooseDate);
    if (window.jQuery) {
        window.jQuery(form.elements.deadline).closest(".appbuilder_date")
            .on("changeDate", chooseDate);  // bootstrap-datepicker signals on its wrapper
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[type='radio']"), function (radio) {
        radio.addEventListener("change", showDeadline);
    });
    form.elements.department.addEventListener("change", filterPersons);
    filterPersons();
    showDeadline();
}());
