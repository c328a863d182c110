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

  /* 开始公示: an explicit end before the campaign's rule shows the warning and asks for the reason.
     <input data-rule-end="2026-12-10T23:59"> with #p-short-warning and #p-short next to it. */
  document.querySelectorAll("input[data-rule-end]").forEach(function (input) {
    var warning = document.getElementById("p-short-warning");
    var reason = document.getElementById("p-short");
    var form = input.form;
    function check() {
      var explicit = form && form.querySelector("input[name=window][value=explicit]");
      var short = input.value !== "" && input.value < input.getAttribute("data-rule-end");
      if (short && explicit) { explicit.checked = true; }
      if (warning) { warning.hidden = !short; }
      if (reason) { reason.required = short; }
    }
    input.addEventListener("input", check);
    input.addEventListener("change", check);
  });

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

  /* File fields (templates/_file_input.html): the chosen files' names beside the 选择文件 button. */
  function showChosen(input) {
    var chosen = document.getElementById(input.id + "-chosen");
    if (!chosen) { return; }
    var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    chosen.textContent = names.length ? names.join("、") : (chosen.getAttribute("data-empty-text") || "");
  }
  document.querySelectorAll("input.file-input").forEach(function (input) {
    input.addEventListener("change", function () { showChosen(input); });
  });
  /* Upload with a progress bar: <form data-upload> with a <progress> and a [data-upload-status]
     inside. The server answers JSON {ok, detail, item}: the message is shown beside the field (a
     refusal in red), a new file's list item is added to the panel's [data-attachments] list. The
     page is never reloaded: a reload of a page that answered a POST would post that form again and
     undo what was typed since. */
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData || !window.JSON) { return; }
      event.preventDefault();
      var bar = form.querySelector("progress");
      var status = form.querySelector("[data-upload-status]");
      var button = form.querySelector("button[type=submit]");
      var list = form.parentNode.querySelector("[data-attachments]");
      function show(text, failed) {
        if (!status) { return; }
        status.textContent = text;
        status.classList.toggle("error", !!failed);
        status.setAttribute("role", failed ? "alert" : "status");
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.setRequestHeader("Accept", "application/json");
      if (bar) { bar.hidden = false; bar.value = 0; }
      if (button) { button.disabled = true; }
      show("", false);
      xhr.upload.addEventListener("progress", function (e) {
        if (bar && e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.addEventListener("loadend", function () {
        if (bar) { bar.hidden = true; }
        if (button) { button.disabled = false; }
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (!body || !body.detail) {
          show(form.getAttribute("data-failed-text") || "", true);
          return;
        }
        show(body.detail, !body.ok);
        if (body.ok && body.item && list) {
          list.insertAdjacentHTML("beforeend", body.item);
          list.hidden = false;
          var input = form.querySelector("input[type=file]");
          if (input) { input.value = ""; showChosen(input); }
        }
      });
      xhr.send(new FormData(form));
    });
  });
  /* Audit chain verification with progress: <form data-verify-stream="url"> and #verify-progress.
     The stream is one JSON object a line: start {total}, progress {events,total,chains,problems},
     problem {object,seq,kind,detail}, done {valid,events,total,chains,anchors,problems}.
     Without fetch streams, or if the stream fails before it starts, the form posts as usual. */
  document.querySelectorAll("form[data-verify-stream]").forEach(function (form) {
    var panel = document.getElementById("verify-progress");
    if (!panel || !window.fetch || !window.TextDecoder || !window.ReadableStream) { return; }
    var bar = panel.querySelector("progress");
    var status = panel.querySelector(".verify-status");
    var list = panel.querySelector(".verify-problems");
    var button = form.querySelector("button[type=submit]");
    function fill(name, values) {
      return (panel.getAttribute(name) || "").replace(/\{(\w+)\}/g, function (all, key) {
        return values[key] === undefined ? all : String(values[key]);
      });
    }
    function show(msg) {
      if (msg.phase === "start") {
        bar.max = Math.max(msg.total, 1); bar.value = 0;
      } else if (msg.phase === "progress") {
        bar.max = Math.max(msg.total, msg.events, 1); bar.value = msg.events;
        status.textContent = fill("data-text-progress", msg);
      } else if (msg.phase === "problem") {
        if (list.children.length < 200) {
          var item = document.createElement("li");
          var code = document.createElement("code");
          code.textContent = msg.object;
          item.appendChild(code);
          item.appendChild(document.createTextNode(" #" + (msg.seq === null ? "-" : msg.seq) + " " + msg.kind + " " + msg.detail));
          list.appendChild(item);
        }
      } else if (msg.phase === "done") {
        bar.max = Math.max(msg.events, 1); bar.value = msg.events;
        status.textContent = fill(msg.valid ? "data-text-ok" : "data-text-bad", msg);
        status.className = "verify-status " + (msg.valid ? "verify-ok" : "verify-bad");
        return true;
      }
      return false;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      panel.hidden = false;
      list.textContent = "";
      status.className = "verify-status";
      if (button) { button.disabled = true; }
      var started = false, finished = false, buffer = "";
      var decoder = new TextDecoder();
      function lines(text) {
        buffer += text;
        var parts = buffer.split("\n");
        buffer = parts.pop();
        parts.forEach(function (line) { if (line.trim()) { started = true; finished = show(JSON.parse(line)) || finished; } });
      }
      fetch(form.getAttribute("data-verify-stream"), {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/x-ndjson" }
      }).then(function (response) {
        if (!response.ok || !response.body) { throw new Error("HTTP " + response.status); }
        var reader = response.body.getReader();
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { lines(decoder.decode()); return; }
            lines(decoder.decode(chunk.value, { stream: true }));
            return pump();
          });
        }
        return pump();
      }).then(function () {
        if (!finished) { throw new Error("incomplete"); }
      }).catch(function () {
        if (!started) { form.submit(); return; }
        status.textContent = panel.getAttribute("data-text-failed");
        status.className = "verify-status verify-bad";
      }).then(function () {
        if (button) { button.disabled = false; }
      });
    });
  });
})();
