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

// Phones: the menu's disclosure (a <details> in the header that works without scripts) also
// closes with Escape, giving the focus back to its button.
(function () {
  "use strict";
  var toggle = document.getElementById("menu-toggle"), menu = document.getElementById("menu");
  if (!toggle || !menu) { return; }
  var button = toggle.querySelector("summary");
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || !toggle.open) { return; }
    if (!menu.contains(document.activeElement) && !toggle.contains(document.activeElement)) { return; }
    toggle.open = false;
    button.focus();
  });
}());

// Wide tables on narrow screens scroll inside their own box: each table of the page is wrapped
// in a .table-scroll box, which is made reachable by the keyboard (and named after the table's
// caption or the heading above it) while its table is wider than the box, and marked .scrolls.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main) { return; }
  var boxes = [];
  function nameOf(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var el = table.previousElementSibling;
    while (el && !/^H[1-6]$/.test(el.tagName)) { el = el.previousElementSibling; }
    return el ? el.textContent.trim() : "";
  }
  main.querySelectorAll("table").forEach(function (table) {
    if (table.parentNode.classList && table.parentNode.classList.contains("table-scroll")) { return; }
    var box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
    boxes.push(box);
  });
  function measure() {
    boxes.forEach(function (box) {
      // only narrow screens make the box scroll (console.css); elsewhere it is a plain block
      var wide = getComputedStyle(box).overflowX !== "visible" && box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("scrolls", wide);
      if (wide) {
        box.tabIndex = 0;
        var name = nameOf(box.firstElementChild);
        if (name) { box.setAttribute("role", "region"); box.setAttribute("aria-label", name); }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  measure();
  window.addEventListener("resize", measure);
}());
