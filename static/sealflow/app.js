/* sealflow web app: small progressive enhancements; every page works without this file.
   No inline script anywhere (the Content-Security-Policy forbids it); texts come from data-* attributes
   rendered by the templates, so they stay in the translation catalogue. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Confirm before a destructive action: <form data-confirm="..."> */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.getAttribute("data-confirm");
    var submitter = event.submitter;
    if (submitter && submitter.getAttribute("data-confirm")) { text = submitter.getAttribute("data-confirm"); }
    if (text && !window.confirm(text)) { event.preventDefault(); }
  }, true);

  /* "Select all" check box: <input type=checkbox data-check-all="name"> */
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var name = box.getAttribute("data-check-all");
      document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (other) {
        other.checked = box.checked;
      });
    });
  });

  /* Copy button: <button data-copy="text"> */
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (navigator.clipboard) {
        navigator.clipboard.writeText(button.getAttribute("data-copy"));
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      }
    });
  });

  /* Autosave of the nomination form: <form data-autosave-url=...> posts the fields (no files)
     after a pause in typing; the server answers {saved, saved_at, errors} and the page shows
     "已保存 HH:MM" and the inline errors from the same validators the API uses. */
  document.querySelectorAll("form[data-autosave-url]").forEach(function (form) {
    var status = document.querySelector("[data-autosave-status]");
    var timer = null;
    var running = false;
    var again = false;

    function showErrors(errors) {
      form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
      form.querySelectorAll("[aria-invalid=true]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      Object.keys(errors || {}).forEach(function (path) {
        var key = path.replace(/^form\./, "").split(/[.\[]/)[0];
        var target = form.querySelector("[data-error-for='" + key + "']");
        if (!target) { target = form.querySelector("[data-error-for='__all__']"); }
        if (target) { target.textContent = (target.textContent ? target.textContent + "；" : "") + errors[path].join("；"); }
        var input = form.querySelector("[name='" + key + "']");
        if (input) { input.setAttribute("aria-invalid", "true"); }
      });
    }

    function save() {
      if (running) { again = true; return; }
      running = true;
      var data = new FormData(form);
      form.querySelectorAll("input[type=file]").forEach(function (f) { data.delete(f.name); });
      fetch(form.getAttribute("data-autosave-url"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        var body = result.body;
        showErrors(body.errors);
        if (status) {
          status.classList.toggle("error", !result.ok);
          status.textContent = result.ok ? (status.getAttribute("data-saved-text") || "").replace("{time}", body.saved_at)
                                         : (body.detail || status.getAttribute("data-failed-text"));
        }
      }).catch(function () {
        if (status) { status.classList.add("error"); status.textContent = status.getAttribute("data-failed-text"); }
      }).then(function () {
        running = false;
        if (again) { again = false; save(); }
      });
    }

    function schedule() { clearTimeout(timer); timer = setTimeout(save, 1200); }
    form.addEventListener("input", function (event) { if (event.target.type !== "file") { schedule(); } });
    form.addEventListener("change", function (event) { if (event.target.type !== "file") { schedule(); } });
  });

  /* Upload with a progress bar: <form data-upload> with a <progress> inside. */
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData) { return; }
      event.preventDefault();
      var bar = form.querySelector("progress");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      if (bar) { bar.hidden = false; bar.value = 0; }
      xhr.upload.addEventListener("progress", function (e) {
        if (bar && e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.addEventListener("loadend", function () { window.location.reload(); });
      xhr.send(new FormData(form));
    });
  });
})();
