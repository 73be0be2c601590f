// Live validation on the compose page: after a pause in typing, the form is checked by the
// server (each network's connector) and the messages are shown next to their fields.
// Without this script the page still works: the "Check" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (!form) { return; }
  var timer = null;
  function show(problems) {
    form.querySelectorAll(".problems[data-field]").forEach(function (box) {
      var field = box.getAttribute("data-field");
      box.textContent = "";
      Object.keys(problems).forEach(function (key) {
        var own = key === field || key.indexOf(field + ".") === 0 || (field === "targets" && key.indexOf("targets[") === 0);
        if (!own) { return; }
        problems[key].forEach(function (message) {
          var span = document.createElement("span");
          span.className = "problem";
          span.textContent = message;
          box.appendChild(span);
        });
      });
    });
  }
  function check() {
    var data = new FormData(form);
    data.delete("action");
    // files are uploaded only when the form is sent; the check needs the picked media alone
    form.querySelectorAll("input[type=file]").forEach(function (f) { data.delete(f.name); });
    fetch(form.getAttribute("data-check"), { method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRF-Token": data.get("csrf_token") } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        show(body.problems);
        form.dispatchEvent(new CustomEvent("herald:checked", { detail: body }));  // e.g. compose_preview.js
      })
      .catch(function () { /* the Check button remains */ });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 500); });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(check, 200); });
}());
