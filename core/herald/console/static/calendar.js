// Drag and drop on the calendar: dropping a scheduled item on another day fills in the day of
// the item's own "Reschedule" form and sends it. The form is a normal POST with the session's
// CSRF token, so the server decides (and refuses) exactly as without this script; the form is
// also there for the keyboard and for browsers without the script. The day moves by as many
// days as the item moved on the calendar; the time of day stays as planned, in its zone.
(function () {
  "use strict";
  var table = document.querySelector("table.calendar");
  if (!table) { return; }
  var dragged = null;

  function days(a, b) {  // whole days from date a to date b (YYYY-MM-DD)
    return Math.round((Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / 86400000);
  }
  function plus(day, n) {
    var d = new Date(Date.parse(day + "T00:00:00Z") + n * 86400000);
    return d.toISOString().slice(0, 10);
  }

  table.addEventListener("dragstart", function (ev) {
    var item = ev.target.closest ? ev.target.closest("li.item[draggable=true]") : null;
    if (!item) { return; }
    dragged = item;
    item.classList.add("dragging");
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", item.getAttribute("data-publication"));
  });
  table.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    table.querySelectorAll("td.drop-target").forEach(function (td) { td.classList.remove("drop-target"); });
  });
  table.addEventListener("dragover", function (ev) {
    var cell = ev.target.closest ? ev.target.closest("td.day") : null;
    if (!dragged || !cell) { return; }
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    table.querySelectorAll("td.drop-target").forEach(function (td) {
      if (td !== cell) { td.classList.remove("drop-target"); }
    });
    cell.classList.add("drop-target");
  });
  table.addEventListener("drop", function (ev) {
    var cell = ev.target.closest ? ev.target.closest("td.day") : null;
    if (!dragged || !cell) { return; }
    ev.preventDefault();
    var moved = days(dragged.getAttribute("data-viewer-date"), cell.getAttribute("data-date"));
    var form = dragged.querySelector("details.reschedule form");
    if (!moved || !form) { return; }
    form.querySelector("input[name=date]").value = plus(dragged.getAttribute("data-planned-date"), moved);
    dragged.classList.add("moving");
    form.submit();
  });
}());
