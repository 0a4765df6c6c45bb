/* The board updates itself: every few seconds it asks for the live part, which the server
 * answers with 204 when nothing changed. A form being filled in is never replaced. */
(function () {
  "use strict";
  var live = document.getElementById("live"), EVERY_MS = 5000;
  function busy() {
    var a = document.activeElement;
    return a && live.contains(a) && /INPUT|SELECT|TEXTAREA/.test(a.tagName);
  }
  function poll() {
    if (document.visibilityState !== "visible" || busy()) return;
    fetch("/board/live?key=" + encodeURIComponent(live.getAttribute("data-key")), { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 200) return r.text().then(function (html) {
          var box = document.createElement("div");
          box.innerHTML = html;
          var key = box.querySelector("[data-live-key]");
          live.innerHTML = html;
          if (key) live.setAttribute("data-key", key.getAttribute("data-live-key"));
        });
        if (r.redirected || r.status === 401) location.href = "/login";
      }).catch(function () { /* the next poll tries again */ });
  }
  setInterval(poll, EVERY_MS);
  document.addEventListener("visibilitychange", poll);
})();
