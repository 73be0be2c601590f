// The per-network preview on the compose page, kept current as you type: console.js checks the
// form with the server after a pause and announces the answer as a "herald:checked" event; the
// answer carries each variant's preview, rendered by the server from the connectors' own rules
// (X's weighted count, each network's limit), so this script only puts it in place.
// Without scripts, "Check" shows the same preview.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (!form) { return; }
  form.addEventListener("herald:checked", function (ev) {
    var html = (ev.detail && ev.detail.previews_html) || {};
    form.querySelectorAll("[data-preview-row]").forEach(function (box) {
      var row = box.getAttribute("data-preview-row");
      if (Object.prototype.hasOwnProperty.call(html, row)) { box.innerHTML = html[row]; }
    });
  });
}());
