// Moving units by drag on the organisation page: dropping a unit's name on another unit fills
// the new parent into the dragged unit's own "Move under" form and sends it. The form is a
// normal POST with the session's CSRF token, so the server decides exactly as without this
// script, and a refused move (under its own descendant, the root) comes back with the service's
// message. The form stays for the keyboard and for browsers without scripts.
(function () {
  "use strict";
  var tree = document.querySelector("ul.tree");
  if (!tree) { return; }
  var dragged = null;

  function unitOf(node) { return node && node.closest ? node.closest("li.unit[data-unit]") : null; }
  function clearTargets() {
    tree.querySelectorAll("li.drop-target").forEach(function (li) { li.classList.remove("drop-target"); });
  }

  tree.querySelectorAll("li.unit[data-unit]").forEach(function (li) {
    if (li.querySelector("form.move-form")) { li.querySelector(".unit-name").setAttribute("draggable", "true"); }
  });
  var help = document.getElementById("drag-help");
  if (help) { help.hidden = false; }

  tree.addEventListener("dragstart", function (ev) {
    var li = unitOf(ev.target);
    if (!li || !li.querySelector("form.move-form")) { return; }
    dragged = li;
    li.classList.add("dragging");
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", li.getAttribute("data-unit"));
  });
  tree.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    clearTargets();
  });
  tree.addEventListener("dragover", function (ev) {
    var li = unitOf(ev.target);
    if (!dragged || !li || li === dragged) { return; }
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    clearTargets();
    li.classList.add("drop-target");
  });
  tree.addEventListener("drop", function (ev) {
    var li = unitOf(ev.target);
    if (!dragged || !li || li === dragged) { return; }
    ev.preventDefault();
    var form = dragged.querySelector("form.move-form");
    var parent = form.querySelector("[name=parent_id]");
    var id = li.getAttribute("data-unit");
    if (parent.tagName === "SELECT" && !parent.querySelector("option[value='" + id + "']")) {
      // not offered by the form (e.g. its own descendant): ask anyway, the server explains the refusal
      var option = document.createElement("option");
      option.value = id;
      option.textContent = li.querySelector(".unit-name").textContent;
      parent.appendChild(option);
    }
    parent.value = id;
    dragged.classList.add("moving");
    form.submit();
  });
}());
