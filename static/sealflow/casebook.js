/* Case book page: while a build runs ([data-casebook-progress][data-running="1"]), poll its progress
   URL every 2 seconds, update the figures and the <progress> bar, and reload the page once the build
   is done or failed (the download links and messages come from the server). Without script the page
   refreshes itself (<noscript> meta refresh). */
(function () {
  "use strict";
  var box = document.querySelector("[data-casebook-progress]");
  if (!box || box.getAttribute("data-running") !== "1") { return; }
  var url = box.getAttribute("data-url");
  var bar = box.querySelector("progress");
  function set(selector, text) {
    var el = box.querySelector(selector);
    if (el) { el.textContent = String(text); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 5000); return; }
        set("[data-status]", data.label);
        set("[data-done]", data.done);
        set("[data-total]", data.total);
        if (bar) { bar.max = data.total || 1; bar.value = data.done; }
        if (data.running) { window.setTimeout(poll, 2000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
