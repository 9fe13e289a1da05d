/* Push, for both of our service workers (importScripts): the site's (/sw.js, scope "/") and
 * the team's cabinet app's (/cabinet/sw.js, scope "/cabinet/"). The worker sets ICON first.
 * - shows the notification the server sent ({title, body, url, tag});
 * - a tap focuses a tab already on that page, else takes a window of this app there, else
 *   opens one;
 * - a subscription the push service replaced is passed on to the server. */
"use strict";

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
  var scope = self.registration.scope;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
    for (var i = 0; i < tabs.length; i++) {
      if (tabs[i].url === target.href && "focus" in tabs[i]) return tabs[i].focus();
    }
    // A window of this app (the installed cabinet, say) goes to the page rather than a new one.
    for (var j = 0; j < tabs.length; j++) {
      if (tabs[j].url.indexOf(scope) === 0 && target.href.indexOf(scope) === 0 && "navigate" in tabs[j]) {
        return tabs[j].focus().then(function (tab) { return tab.navigate(target.href); });
      }
    }
    return self.clients.openWindow(target.href);
  }));
});
