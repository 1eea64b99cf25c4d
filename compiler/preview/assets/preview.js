// msgc preview: the site's one script (allowed by the pages' Content-Security-Policy).
// 1. Remembers which variable values are shown (examples, worst case, your values) across
//    pages and reloads. The switch itself works without this script (CSS only).
// 2. Under `msgc preview --serve`, reloads the page when its content changes (a spec was
//    edited). It asks the same server for the page's digest with a request the server
//    holds until the digest changes (or ~25 s pass: then it asks again); a hidden tab does
//    not ask (it asks when shown again), and while the server is unreachable it asks less
//    and less often (0.5 s, doubling, up to every 10 s). Opened from file://, or from any
//    server other than msgc's (the page's digest is empty), it does nothing.
(function () {
  "use strict";
  var KEY = "msgc-preview-mode";

  function restoreMode() {
    var saved = null;
    try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
    if (saved) {
      var radio = document.getElementById("mode-" + saved);
      if (radio) { radio.checked = true; }
    }
    var radios = document.querySelectorAll("input[name=mode]");
    for (var i = 0; i < radios.length; i++) {
      radios[i].addEventListener("change", function (event) {
        try { window.localStorage.setItem(KEY, event.target.value); } catch (e) { /* private mode */ }
      });
    }
  }

  function liveReload() {
    var meta = document.querySelector("meta[name=msgc-live]");
    var digest = meta ? meta.getAttribute("content") : "";
    if (!digest || !window.fetch || location.protocol.indexOf("http") !== 0) { return; }
    var url = "/_msgc/wait?path=" + encodeURIComponent(location.pathname) +
      "&digest=" + encodeURIComponent(digest);
    var pending = null;   // the request in flight, as {aborted: bool, controller}
    var timer = null;
    var backoff = 0;      // ms to wait after a failure; 0 after a success

    function later(ms) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { timer = null; ask(); }, ms);
    }

    function ask() {
      if (pending || document.visibilityState === "hidden") { return; }
      var request = { aborted: false,
                      controller: window.AbortController ? new AbortController() : null };
      var started = Date.now();
      pending = request;
      fetch(url, { cache: "no-store",
                   signal: request.controller ? request.controller.signal : undefined })
        .then(function (answer) {
          if (!answer.ok) { throw new Error("HTTP " + answer.status); }
          return answer.text();
        })
        .then(function (now) {
          if (request.aborted) { return; }
          pending = null;
          backoff = 0;
          if (now && now !== digest) {
            location.reload();
          } else {
            // held until the server's time limit: ask again at once, but never more than
            // once a second whatever the server does
            later(Math.max(0, 1000 - (Date.now() - started)));
          }
        })
        .catch(function () {
          if (request.aborted) { return; }
          pending = null;
          backoff = Math.min(backoff ? backoff * 2 : 500, 10000);
          later(backoff);
        });
    }

    function stop() {
      if (pending) {
        pending.aborted = true;
        if (pending.controller) { pending.controller.abort(); }
        pending = null;
      }
      window.clearTimeout(timer);
      timer = null;
    }

    // A held request occupies one of the browser's few connections to the server: only
    // the tabs on screen hold one.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { stop(); } else { ask(); }
    });
    window.addEventListener("pagehide", stop);
    window.addEventListener("pageshow", function (event) { if (event.persisted) { ask(); } });
    ask();
  }

  restoreMode();
  liveReload();
})();
