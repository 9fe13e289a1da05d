/* The cabinet app's service worker (admin/cabinet/pwa.py, at /cabinet/sw.js, scope
 * "/cabinet/"): the team's own installable app, apart from the site's worker (/sw.js).
 *
 * - Pages go straight to the network (the inbox is live data); a page that cannot be
 *   fetched shows the offline page kept at install.
 * - Push: js/sw-push.js, shared with the site's worker; a tap opens the dialog. */
"use strict";

var VERSION = {{ version | tojson }};
var OFFLINE_URL = {{ offline_url | tojson }};
var ICON = {{ icon | tojson }};
var PUSH_SCRIPT = {{ push_script | tojson }};
var CACHE = "cabinet-" + VERSION; // not "bank-…": the site's worker clears those

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll([new Request(OFFLINE_URL, { cache: "reload" }), new Request(ICON, { cache: "reload" })]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("cabinet-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  if (event.request.mode !== "navigate" || event.request.method !== "GET") return;
  event.respondWith(fetch(event.request).catch(function () {
    return caches.match(OFFLINE_URL, { ignoreVary: true });
  }));
});

importScripts(PUSH_SCRIPT);
