/* The back office's decision forms, when scripts run; each works without them.
   - "Tout sélectionner sur cette page" ticks or clears every row of the challenge list (without
     a script, the server reads that box and takes the page's rows itself).
   - An e-mail's preview shows the reason as it is typed (without a script, "Prévisualiser"
     asks the server for the same preview). */
(function () {
  "use strict";

  document.querySelectorAll("input[data-select-page]").forEach(function (master) {
    var rows = Array.prototype.slice.call(
      master.form.querySelectorAll('input[type="checkbox"][name="challenges"]')
    );
    master.addEventListener("change", function () {
      rows.forEach(function (row) {
        row.checked = master.checked;
      });
    });
    rows.forEach(function (row) {
      row.addEventListener("change", function () {
        master.checked = rows.every(function (other) {
          return other.checked;
        });
      });
    });
  });

  var marks = {};
  document.querySelectorAll("mark[data-reason-of]").forEach(function (mark) {
    var source = mark.getAttribute("data-reason-of");
    (marks[source] = marks[source] || []).push(mark);
  });
  Object.keys(marks).forEach(function (source) {
    var field = document.getElementById(source);
    if (!field) {
      return;
    }
    var show = function () {
      var typed = field.value.trim();
      marks[source].forEach(function (mark) {
        mark.textContent = typed || mark.getAttribute("data-empty");
      });
    };
    field.addEventListener("input", show);
    show();
  });
})();
