// The schedule form on a post's page: while a day, time and zone are chosen, show the same
// instant in the viewer's own time zone (with the browser's Intl time zone data). Without this
// script nothing is lost: each publication lists both times once it is scheduled.
(function () {
  "use strict";
  var box = document.getElementById("in-my-zone");
  var local = document.getElementById("local_time");
  var zone = document.getElementById("time_zone");
  if (!box || !local || !zone || typeof Intl === "undefined") { return; }
  var out = box.querySelector("output");

  function offsetAt(ms, tz) {  // minutes east of UTC in zone tz at instant ms
    var parts = {};
    new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(new Date(ms)).forEach(function (p) { parts[p.type] = p.value; });
    var asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second);
    return Math.round((asUtc - ms) / 60000);
  }
  function instant(text, tz) {  // the instant of wall-clock text (YYYY-MM-DDTHH:MM) in zone tz
    var guess = Date.parse(text.slice(0, 16) + ":00Z");
    if (isNaN(guess)) { return null; }
    var first = guess - offsetAt(guess, tz) * 60000;
    return guess - offsetAt(first, tz) * 60000;
  }
  function show() {
    var at = null;
    try { at = local.value ? instant(local.value, zone.value) : null; } catch (e) { at = null; }
    if (at === null) { box.hidden = true; return; }
    out.textContent = new Intl.DateTimeFormat(box.getAttribute("data-locale") || undefined,
      { dateStyle: "medium", timeStyle: "short", timeZone: box.getAttribute("data-zone") }).format(new Date(at));
    box.hidden = false;
  }
  local.addEventListener("input", show);
  local.addEventListener("change", show);
  zone.addEventListener("change", show);
  show();
}());
