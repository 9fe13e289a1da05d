/* Bank's service worker (served by app/web/pwa.py at /sw.js, scope "/").
 *
 * - Install: keeps the app shell (the public pages' CSS, scripts, icons and the offline page)
 *   in a cache named after this version, which changes with any of them, so a deploy
 *   installs a fresh copy; activate drops the caches of older versions.
 * - Pages: network first, so people always see current data; offline, the copy kept from
 *   their last visit, else the offline page.
 * - /api/, /cabinet, /admin, /widget and /media are never touched: personal or live data,
 *   and pages with their own rules, go straight to the network as if there were no worker.
 * - Push: js/sw-push.js, shared with the cabinet's worker (admin/cabinet/pwa.py). */
"use strict";

var VERSION = {{ version | tojson }};
var SHELL = {{ shell_urls | tojson }};
var OFFLINE_URL = {{ offline_url | tojson }};
var ICON = {{ icon | tojson }};
var PUSH_SCRIPT = {{ push_script | tojson }};
var SHELL_CACHE = "bank-shell-" + VERSION;
var PAGES_CACHE = "bank-pages-" + VERSION;
var PAGES_KEPT = 30; // pages kept for offline reading; the oldest go first
var BYPASS = /^\/(api|cabinet|admin|widget|media)(\/|$)/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    // "reload": straight from the server, never a stale copy from the HTTP cache.
    return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("bank-") === 0 && name !== SHELL_CACHE && name !== PAGES_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function trim(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - PAGES_KEPT)).map(function (key) {
      return cache.delete(key);
    }));
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    // Only whole pages of ours: no error pages, no redirects.
    if (response.status === 200 && response.type === "basic") {
      var copy = response.clone();
      caches.open(PAGES_CACHE).then(function (cache) {
        return cache.put(request, copy).then(function () { return trim(cache); });
      });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreVary: true, ignoreSearch: false }).then(function (kept) {
      return kept || caches.match(OFFLINE_URL, { ignoreVary: true });
    });
  });
}

function asset(request) {
  return caches.match(request).then(function (kept) {
    return kept || fetch(request);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || BYPASS.test(url.pathname)) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
  }
});

importScripts(PUSH_SCRIPT); // showing a push, a tap on it, a replaced subscription
