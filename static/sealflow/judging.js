/* Judging score sheet: the live total of <form data-score-sheet> (inputs marked data-criterion),
   shown in [data-total]. Saving (autosave) is app.js's form[data-autosave-url]; no inline script. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-score-sheet]").forEach(function (form) {
    var out = form.querySelector("[data-total]");
    if (!out) { return; }
    function decimals(text) { var i = text.indexOf("."); return i < 0 ? 0 : text.length - i - 1; }
    function update() {
      var total = 0, places = 0;
      form.querySelectorAll("input[data-criterion]").forEach(function (input) {
        var text = (input.value || "").trim();
        var value = parseFloat(text);
        if (text !== "" && !isNaN(value)) { total += value; places = Math.max(places, decimals(text)); }
      });
      out.textContent = String(Number(total.toFixed(Math.min(places, 4))));
    }
    form.addEventListener("input", update);
    update();
  });
})();
