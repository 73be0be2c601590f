// "Add variant" and "Remove variant" on the compose and edit forms, without a round trip: a new
// row is a copy of the page's <template> with the next free row number; a removed row leaves the
// others' numbers (and their messages) as they are. Without this script both buttons are plain
// submit buttons and the server sends the form back with one row more or less, nothing typed lost.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  var list = document.getElementById("variants");
  var template = document.getElementById("variant-template");
  if (!form || !list || !template) { return; }
  var most = parseInt(form.getAttribute("data-max-rows") || "20", 10);

  function rows() { return list.querySelectorAll("fieldset.variant"); }
  function renumber() {  // the legends say 1, 2, 3… in order, whatever the rows' own numbers
    rows().forEach(function (row, k) {
      var legend = row.querySelector("legend");
      if (legend && legend.hasAttribute("data-legend")) {
        legend.textContent = legend.getAttribute("data-legend").replace("__N__", String(k + 1));
      }
    });
    var add = form.querySelector("button.add-variant");
    if (add) { add.hidden = rows().length >= most; }
  }
  function changed() { form.dispatchEvent(new Event("change", { bubbles: true })); }  // the live check

  form.addEventListener("click", function (ev) {
    var button = ev.target.closest("button[name=action]");
    if (!button) { return; }
    if (button.value === "add_variant") {
      ev.preventDefault();
      if (rows().length >= most) { return; }
      var next = 0;
      rows().forEach(function (row) { next = Math.max(next, parseInt(row.getAttribute("data-row"), 10) + 1); });
      var html = template.innerHTML.split("__ROW__").join(String(next))
        .split("__N__").join(String(rows().length + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("fieldset.variant");
      fresh.querySelector("legend").setAttribute("data-legend",  // "Variant __N__", for renumbering
        template.content.querySelector("legend").getAttribute("data-legend"));
      list.appendChild(fresh);
      renumber();
      fresh.querySelector("textarea").focus();
      changed();
    } else if (button.value.indexOf("remove_variant-") === 0) {
      ev.preventDefault();
      if (rows().length <= 1) { return; }
      var row = button.closest("fieldset.variant");
      var after = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      if (after) { after.querySelector("textarea").focus(); }
      changed();
    }
  });
}());
