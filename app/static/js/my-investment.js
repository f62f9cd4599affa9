/* 投资月报填报: this year's completion as the amount is typed, beside the time progress.
 *
 * Each row carries data-plan (the annual plan) and data-completed (this year's completed
 * investment without the month being filed); completion = (completed + typed) / plan,
 * the same figure the server shows after saving. */
(function () {
  "use strict";

  var table = document.querySelector("table.my-investment");
  if (!table) {
    return;
  }
  var timeProgress = parseFloat(table.getAttribute("data-time-progress"));
  var lagYellow = parseFloat(table.getAttribute("data-lag-yellow"));
  var lagRed = parseFloat(table.getAttribute("data-lag-red"));
  var CLASSES = ["text-success", "text-warning", "text-danger"];

  function lagClass(completion) {
    var lag = timeProgress - completion;
    if (lag > lagRed) {
      return "text-danger";
    }
    return lag > lagYellow ? "text-warning" : "text-success";
  }

  /* The amount as the server reads it (app/domain/typed_input.py parse_amount): full-width
   * digits and commas, thousands separators, a trailing 万元 (kept) or 元 (÷ 10000). */
  function typedAmount(text) {
    var value = String(text || "").replace(/[\uff01-\uff5e]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    }).replace(/\s+/g, "");
    var divisor = 1;
    if (/万元?$/.test(value)) {
      value = value.replace(/万元?$/, "");
    } else if (/元$/.test(value)) {
      value = value.replace(/元$/, "");
      divisor = 10000;
    }
    if (!/^[+-]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?$/.test(value) || !/\d/.test(value)) {
      return NaN;
    }
    return parseFloat(value.replace(/,/g, "")) / divisor;
  }

  function update(row, input, output) {
    var plan = parseFloat(row.getAttribute("data-plan"));
    var completed = parseFloat(row.getAttribute("data-completed")) || 0;
    var typed = typedAmount(input.value);
    CLASSES.forEach(function (name) { output.classList.remove(name); });
    if (!(plan > 0)) {
      output.textContent = "—";
      return;
    }
    var completion = (completed + (typed >= 0 ? typed : 0)) / plan;
    output.textContent = (completion * 100).toFixed(1) + "%";
    output.classList.add(lagClass(completion));
  }

  Array.prototype.forEach.call(table.querySelectorAll("tr.investment-row"), function (row) {
    var input = row.querySelector("input.investment-amount");
    var output = row.querySelector("[data-completion]");
    if (!input || !output) {
      return;
    }
    input.addEventListener("input", function () { update(row, input, output); });
  });
}());
