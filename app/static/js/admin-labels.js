// Names for the controls of Flask-Admin's list views that have none, or only a placeholder
// (admin/bank_base.html loads it on every /admin and /cabinet page): the search box, the link
// that clears it, and each filter's condition and value, which Flask-Admin's filters.js builds
// (with select2) when a filter is added. The words come translated in the script tag's data-*.
(function () {
  "use strict";
  var words = document.getElementById("admin-labels").dataset;

  function name(element, text) {
    if (element && text && !element.hasAttribute("aria-label")) element.setAttribute("aria-label", text);
  }

  function nameSearch() {
    document.querySelectorAll("form[role=search] input[name=search]").forEach(function (input) {
      name(input, words.search);
    });
    document.querySelectorAll("form[role=search] a .fa-times").forEach(function (icon) {
      icon.setAttribute("aria-hidden", "true");
      name(icon.closest("a"), words.clearSearch);
    });
  }

  // A select2 box is focused through its hidden text input, named by the chosen option:
  // "<filter>: condition" or "<filter>: value" goes in front of it.
  function nameControl(control, text) {
    var focusser = control.querySelector(".select2-focusser");
    if (!focusser) {
      if (control.matches("input, select")) name(control, text);
      return;
    }
    var label = control.querySelector("label[for='" + focusser.id + "']");
    if (!label || label.id) return;
    label.id = focusser.id + "-name";
    label.textContent = text;
    var search = control.querySelector("label[for='" + focusser.id + "_search']");
    if (search) search.textContent = text;  // the box for typing in the open list
    var chosen = focusser.getAttribute("aria-labelledby");
    focusser.setAttribute("aria-labelledby", label.id + (chosen ? " " + chosen : ""));
  }

  function nameFilters() {
    document.querySelectorAll("table.filters tr").forEach(function (row) {
      var remove = row.querySelector(".remove-filter");
      if (!remove) return;
      var filter = remove.textContent.replace("\u00d7", "").trim();
      row.querySelectorAll(".filter-op").forEach(function (control) {
        nameControl(control, words.condition.replace("{filter}", filter));
      });
      row.querySelectorAll(".filter-val").forEach(function (control) {
        nameControl(control, words.value.replace("{filter}", filter));
      });
    });
  }

  nameSearch();
  var filters = document.querySelector("table.filters");
  if (filters) {
    new MutationObserver(nameFilters).observe(filters, { childList: true, subtree: true });
    nameFilters();
  }
})();
