// msgc preview: the site's one script (allowed by the pages' Content-Security-Policy).
// 1. Remembers which variable values are shown (examples, worst case, your values) across
//    pages and reloads. The switch itself works without this script (CSS only).
// 2. Under `msgc preview --serve`, reloads the page when its content changes (a spec was
//    edited). It asks the same server, five times a second, for the page's digest; opened
//    from file:// it does nothing.
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
    if (!digest || location.protocol.indexOf("http") !== 0) { return; }
    var path = location.pathname;
    function poll() {
      fetch("/_msgc/digest?path=" + encodeURIComponent(path), { cache: "no-store" })
        .then(function (answer) { return answer.ok ? answer.text() : ""; })
        .then(function (now) {
          if (now && now !== digest) {
            location.reload();
          } else {
            window.setTimeout(poll, 200);
          }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    window.setTimeout(poll, 200);
  }

  restoreMode();
  liveReload();
})();
