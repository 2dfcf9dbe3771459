// The application form, progressively enhanced: "add rows" adds an empty row on the spot
// instead of saving and reloading, and the budget total follows what is typed. Without
// JavaScript the same buttons save the draft and come back with empty rows.
(function () {
  "use strict";

  var totalOutput = document.getElementById("budget-total");

  function amount(input) {
    var value = parseFloat(input.value);
    return isNaN(value) ? 0 : value;
  }

  function updateTotal() {
    if (!totalOutput) return;
    var sum = 0;
    document.querySelectorAll('[data-formset="budget"] [data-budget-row]').forEach(function (row) {
      var remove = row.querySelector('input[name$="-DELETE"]');
      var input = row.querySelector('input[name$="-amount"]');
      if (input && !(remove && remove.checked)) sum += amount(input);
    });
    totalOutput.textContent = sum.toLocaleString(undefined, {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  }

  document.querySelectorAll("[data-formset]").forEach(function (set) {
    var prefix = set.dataset.formset;
    var button = set.querySelector("[data-add-row]");
    var template = document.getElementById(prefix + "-empty");
    var count = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var rows = set.querySelector("[data-rows]");
    if (!button || !template || !count || !rows) return;
    button.textContent = prefix === "budget" ? "Add a budget line" : "Add a metric";
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(count.value, 10);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
      count.value = index + 1;
      var first = rows.lastElementChild.querySelector(
        "input:not([type=hidden]), select, textarea"
      );
      if (first) first.focus();
    });
  });

  document.addEventListener("input", updateTotal);
  document.addEventListener("change", updateTotal);
})();
