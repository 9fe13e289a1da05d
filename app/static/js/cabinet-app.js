/* The cabinet on every screen size, and as an app of its own:
 *  - its service worker (/cabinet/sw.js, scope /cabinet/: the team's app, its push), once
 *    the page has loaded;
 *  - parts that fold away on a phone (details.fold: the section menu, the inbox's filters,
 *    a dialog's actions) are laid open from a tablet's width up, and fold again below it. */
(function () {
  "use strict";

  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/cabinet/sw.js", { scope: "/cabinet/" })
        .catch(function () { /* the cabinet works without it */ });
    });
  }

  var wide = window.matchMedia("(min-width: 768px)");
  function lay() {
    document.querySelectorAll("details.fold").forEach(function (details) {
      details.open = wide.matches;
    });
  }
  wide.addEventListener("change", lay);
  // They come folded; a phone keeps what its person may have opened already.
  if (wide.matches) lay();
})();
