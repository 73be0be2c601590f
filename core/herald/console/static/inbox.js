// The inbox page: choose conversations without reloading (click, or j / k), live updates by
// short polling, the reply box's network checks, the reply lease ("… is replying") and the
// keyboard shortcuts. Without this script the page still works: links, forms and a reload.
(function () {
  "use strict";
  var root = document.getElementById("inbox");
  if (!root) { return; }
  document.documentElement.classList.add("js");
  var POLL_MS = 3000, LEASE_MS = 60000;
  var csrf = root.getAttribute("data-csrf");
  var query = root.getAttribute("data-query");
  var selected = root.getAttribute("data-selected") || "";
  var listKey = null, leaseTimer = null, checkTimer = null, polling = false;
  var live = document.getElementById("inbox-live");

  function t(name) { return root.getAttribute("data-t-" + name) || ""; }
  function say(text) { if (live) { live.textContent = ""; live.textContent = text; } }
  function url(attr, id) { return root.getAttribute(attr).replace("CONV", encodeURIComponent(id)); }
  function withQuery(base, extra) {
    var parts = [query, extra].filter(function (p) { return p; });
    return base + (parts.length ? (base.indexOf("?") < 0 ? "?" : "&") + parts.join("&") : "");
  }
  function getText(u) {
    return fetch(u, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); });
  }
  function post(u, body, json) {
    var headers = { "X-CSRF-Token": csrf, "Accept": "application/json" };
    if (json) { headers["Content-Type"] = "application/json"; }
    return fetch(u, { method: "POST", credentials: "same-origin", headers: headers,
      body: json ? JSON.stringify(body) : body });
  }
  function parse(html) { var d = document.createElement("div"); d.innerHTML = html; return d; }
  function pane() { return document.getElementById("pane"); }
  function typing(el) {
    el = el || document.activeElement;
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // ------------------------------------------------------------------ the list
  function links() { return Array.prototype.slice.call(document.querySelectorAll("#conv-list .conv")); }
  function markSelected() {
    links().forEach(function (li) {
      var on = li.getAttribute("data-id") === selected;
      li.classList.toggle("selected", on);
      var a = li.querySelector("a");
      if (on) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
    });
  }
  function refreshList() {
    return getText(withQuery(root.getAttribute("data-list"), "fragment=list&c=" + encodeURIComponent(selected)))
      .then(function (html) {
        var before = links().map(function (li) { return li.getAttribute("data-id"); });
        document.getElementById("inbox-list").innerHTML = html;
        var fresh = links().some(function (li) { return before.indexOf(li.getAttribute("data-id")) < 0; });
        if (fresh && before.length) { say(t("new")); }
        markSelected();
      });
  }
  function more(link) {
    getText(link.href + "&fragment=list").then(function (html) {
      var box = parse(html), list = document.getElementById("conv-list");
      box.querySelectorAll("#conv-list > li").forEach(function (li) { list.appendChild(li); });
      var next = box.querySelector("#inbox-more");
      if (next) { link.href = next.href; } else { link.parentNode.removeChild(link); }
      markSelected();
    }).catch(function () { window.location.href = link.href; });
  }

  // ------------------------------------------------------------------ the conversation
  // On a phone the list and the conversation are two views (inbox.css): choosing a conversation
  // is a step in the browser's history, so Back (the link or the browser's) returns to the list.
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 48rem)") : { matches: false };
  function listUrl(id) { return withQuery(root.getAttribute("data-list"), id ? "c=" + encodeURIComponent(id) : ""); }
  function select(id, focus, fromHistory) {
    if (!id) { return; }
    leaveReply();
    return getText(withQuery(url("data-pane", id), "")).then(function (html) {
      selected = id;
      root.setAttribute("data-selected", id);
      document.getElementById("inbox-pane").innerHTML = html;
      markSelected();
      if (fromHistory) { /* the address is already this one */ } else if (narrow.matches) {
        history.pushState({ c: id }, "", listUrl(id));
      } else {
        history.replaceState(null, "", listUrl(id));
      }
      var li = document.querySelector('#conv-list .conv[data-id="' + id + '"] a');
      if (narrow.matches) {
        window.scrollTo(0, 0);
        if (focus !== false) { document.getElementById("inbox-pane").focus(); }
      } else if (li && focus !== false) { li.focus(); }
      wirePane();
    }).catch(function () { window.location.href = withQuery(root.getAttribute("data-list"), "c=" + id); });
  }
  function showList(fromHistory) {
    if (!selected) { return; }
    var was = selected;
    leaveReply();
    selected = "";
    root.setAttribute("data-selected", "");
    markSelected();
    if (!fromHistory) { history.pushState({ c: "" }, "", listUrl("")); }
    var li = document.querySelector('#conv-list .conv[data-id="' + was + '"] a');
    if (li) { li.focus(); }
  }
  window.addEventListener("popstate", function () {
    var id = new URLSearchParams(window.location.search).get("c") || "";
    if (id && id !== selected) { select(id, true, true); } else if (!id) { showList(true); }
  });
  function refreshPane() {
    return getText(url("data-pane", selected)).then(function (html) {
      var box = parse(html), fresh = box.querySelector("#pane"), current = pane();
      if (!fresh || !current) { return; }
      box.querySelectorAll("[data-live]").forEach(function (part) {
        var old = current.querySelector("#" + part.id);
        if (old) { old.parentNode.replaceChild(part, old); }
      });
      current.setAttribute("data-key", fresh.getAttribute("data-key"));
      takeOverBox();
      say(t("updated"));
    });
  }
  function takeOverBox() {
    var box = document.getElementById("take-over-box");
    if (box) { box.hidden = !document.getElementById("collision"); }
  }
  function showCollision(message) {
    var holder = document.getElementById("replying");
    if (!holder) { return; }
    holder.textContent = "";
    if (message) {
      var p = document.createElement("p");
      p.className = "flash error collision";
      p.id = "collision";
      p.setAttribute("role", "alert");
      p.textContent = message;
      holder.appendChild(p);
    }
    takeOverBox();
  }

  // ------------------------------------------------------------------ the reply lease
  function takeLease() {
    if (!selected) { return; }
    post(url("data-lease", selected), new FormData()).then(function (r) {
      return r.json().then(function (body) {
        if (r.status === 409) { showCollision(body.message); } else if (r.ok) { showCollision(null); }
      });
    }).catch(function () { /* the reply's own check refuses a collision */ });
  }
  function enterReply() {
    takeLease();
    clearInterval(leaseTimer);
    leaseTimer = setInterval(takeLease, LEASE_MS);
  }
  function leaveReply() {
    if (leaseTimer === null) { return; }
    clearInterval(leaseTimer);
    leaseTimer = null;
    if (selected) { post(url("data-release", selected), new FormData()).catch(function () {}); }
  }

  // ------------------------------------------------------------------ the reply checks
  function check() {
    var text = document.getElementById("reply-text");
    if (!text || !selected) { return; }
    post(url("data-check", selected), { text: text.value }, true)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        var length = document.getElementById("reply-length"), max = text.getAttribute("data-max");
        if (length && max) {
          length.textContent = t("length").replace("%(length)s", body.length).replace("%(limit)s", max);
          length.classList.toggle("problem", body.length > +max);
        }
        var box = document.getElementById("reply-problems");
        box.textContent = "";
        (body.problems || []).forEach(function (p) {
          var span = document.createElement("span");
          span.className = "problem";
          span.setAttribute("dir", "auto");
          span.textContent = p.message;
          box.appendChild(span);
        });
      }).catch(function () {});
  }
  // the on-screen keyboard takes half of a phone's screen: keep the field being typed in visible
  function keepInView() {
    var el = document.activeElement;
    if (narrow.matches && el && el.tagName === "TEXTAREA" && el.scrollIntoView) {
      el.scrollIntoView({ block: "nearest" });
    }
  }
  if (window.visualViewport) { window.visualViewport.addEventListener("resize", keepInView); }
  function wirePane() {
    var box = document.getElementById("reply-box");
    if (box) {
      box.addEventListener("toggle", function () { if (box.open) { enterReply(); } else { leaveReply(); } });
      if (box.open) { enterReply(); }
    }
    var text = document.getElementById("reply-text");
    if (text) {
      text.addEventListener("focus", keepInView);
      text.addEventListener("input", function () { clearTimeout(checkTimer); checkTimer = setTimeout(check, 300); });
    }
    var picker = document.getElementById("saved-reply");
    if (picker && text) {
      picker.addEventListener("change", function () {
        var option = picker.options[picker.selectedIndex];
        var body = option && option.getAttribute("data-text");
        if (!body) { return; }
        text.value = text.value.trim() ? text.value + "\n" + body : body;
        text.dispatchEvent(new Event("input"));
        text.focus();
      });
    }
    takeOverBox();
  }

  // ------------------------------------------------------------------ polling
  function poll() {
    if (polling || document.hidden) { return; }
    polling = true;
    fetch(withQuery(root.getAttribute("data-poll"), selected ? "c=" + encodeURIComponent(selected) : ""),
      { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return null; }
        var work = [];
        if (body.list_key && listKey !== null && body.list_key !== listKey) { work.push(refreshList()); }
        if (body.list_key) { listKey = body.list_key; }
        var current = pane();
        if (body.conversation && current && current.getAttribute("data-conv") === body.conversation.id &&
            current.getAttribute("data-key") !== body.conversation.key) { work.push(refreshPane()); }
        return Promise.all(work);
      })
      .catch(function () {})
      .then(function () { polling = false; });
  }

  // ------------------------------------------------------------------ events
  root.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a") : null;
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) { return; }
    if (link.classList.contains("more")) { e.preventDefault(); more(link); return; }
    if (link.classList.contains("inbox-back")) { e.preventDefault(); showList(false); return; }
    var li = link.closest(".conv");
    if (li && link.classList.contains("conv-link")) { e.preventDefault(); select(li.getAttribute("data-id"), true); }
  });
  function step(by) {
    var all = links();
    if (!all.length) { return; }
    var at = all.findIndex(function (li) { return li.getAttribute("data-id") === selected; });
    var next = at < 0 ? 0 : Math.min(Math.max(at + by, 0), all.length - 1);
    if (next !== at) { select(all[next].getAttribute("data-id"), true); }
  }
  function click(id) {
    var el = document.getElementById(id);
    if (el) { el.click(); return true; }
    return false;
  }
  var help = document.getElementById("inbox-help");
  document.querySelectorAll("[data-inbox-help]").forEach(function (b) {
    b.addEventListener("click", function () { if (help && !help.open) { help.showModal(); } });
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || (help && help.open)) { return; }
    var key = e.key;
    if (key === "j") { step(1); } else if (key === "k") { step(-1); } else if (key === "a") {
      if (!click("assign-me")) { say(t("nothing")); }
    } else if (key === "e") { click("status-resolved"); } else if (key === "r") {
      var box = document.getElementById("reply-box");
      if (!box) { return; }
      box.open = true;
      var text = document.getElementById("reply-text");
      if (text) { text.focus(); }
    } else if (key === "?") { if (help) { help.showModal(); } } else { return; }
    e.preventDefault();
  });
  window.addEventListener("pagehide", leaveReply);
  wirePane();
  markSelected();
  setInterval(poll, POLL_MS);
  poll();
}());
