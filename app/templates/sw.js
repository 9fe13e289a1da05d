/* Bank's service worker (served by app/web/pwa.py at /sw.js, scope "/").
 *
 * - Install: keeps the app shell (the public pages' CSS, scripts, icons and the offline page)
 *   in a cache named after this version, which changes with any of them, so a deploy
 *   installs a fresh copy; activate drops the caches of older versions.
 * - Pages: network first, so people always see current data; offline, the copy kept from
 *   their last visit, else the offline page.
 * - /api/, /cabinet, /admin, /widget and /media are never touched: personal or live data,
 *   and pages with their own rules, go straight to the network as if there were no worker.
 * - Push: shows the notification the server sent ({title, body, url, tag}); a click focuses
 *   a tab already on that page, or opens it; a replaced subscription is passed on. */
"use strict";

var VERSION = {{ version | tojson }};
var SHELL = {{ shell_urls | tojson }};
var OFFLINE_URL = {{ offline_url | tojson }};
var ICON = {{ icon | tojson }};
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

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(self.registration.showNotification(data.title || "Bank", {
    body: data.body || "",
    icon: ICON,
    badge: ICON,
    tag: data.tag || undefined,
    renotify: !!data.tag, // a newer message of the same dialog still gets noticed
    data: { url: data.url || "/" }
  }));
});

/* The push service replaced this browser's subscription: tell the server the new one, so
 * the person keeps getting notifications without visiting their profile. The proof is the
 * old subscription's auth secret, which only this browser and the server hold. Without the
 * old subscription (older browsers) there is nothing to prove it with; the profile page
 * registers again on the next visit. */
function base64url(buffer) {
  var bytes = new Uint8Array(buffer), text = "";
  for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function renewSubscription(old, fresh) {
  if (!old) return Promise.resolve(null);
  var subscribed = fresh ? Promise.resolve(fresh) : self.registration.pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: old.options && old.options.applicationServerKey
  });
  return subscribed.then(function (subscription) {
    return fetch("/api/push/renew", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ oldEndpoint: old.endpoint, oldAuth: base64url(old.getKey("auth")),
                             subscription: subscription.toJSON() })
    }).then(function (answer) {
      // Open pages still hold the old subscription (a sign-out must remove the new one).
      return self.clients.matchAll({ type: "window" }).then(function (tabs) {
        tabs.forEach(function (tab) { tab.postMessage({ type: "push-renewed" }); });
        return answer;
      });
    });
  });
}

self.addEventListener("pushsubscriptionchange", function (event) {
  event.waitUntil(renewSubscription(event.oldSubscription, event.newSubscription));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  // Our own pages only, whatever a payload says.
  if (target.origin !== self.location.origin) target = new URL("/", self.location.origin);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
    for (var i = 0; i < tabs.length; i++) {
      if (tabs[i].url === target.href && "focus" in tabs[i]) return tabs[i].focus();
    }
    return self.clients.openWindow(target.href);
  }));
});
