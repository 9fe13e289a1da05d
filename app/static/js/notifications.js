/* Notifications on the profile page: turn Web Push on or off for this browser and choose
 * what it is told about. The browser's subscription is the truth for "on": when it has one,
 * it is registered again (POST /api/push/register keeps the choices made before, and moves
 * the device to whoever is signed in now), which also gives the choices to show.
 * Needs api.js, site.js and the service worker (/sw.js). */
(function () {
  "use strict";

  var Bank = window.Bank;
  var box = document.getElementById("push");
  if (!box || !Bank.session.signedIn()) return; // profile.js sends signed-out visitors away

  var state = document.getElementById("push-state");
  var toggle = document.getElementById("push-toggle");
  var prefs = document.getElementById("push-prefs");
  var errorBox = document.getElementById("push-error");
  var subscription = null;

  var supported = window.isSecureContext && "serviceWorker" in navigator &&
    "PushManager" in window && "Notification" in window;

  function fail(error) {
    if (!Bank.handleAuthError(error)) Bank.say(errorBox, Bank.errorText(error));
  }

  function show(on, preferences) {
    Bank.say(state, Bank.t(on ? "pushOn" : "pushOff"));
    toggle.textContent = Bank.t(on ? "pushTurnOff" : "pushTurnOn");
    toggle.hidden = false;
    toggle.setAttribute("data-on", on ? "true" : "false");
    prefs.hidden = !on;
    prefs.disabled = !on;
    if (preferences) {
      prefs.querySelectorAll("input[type=checkbox]").forEach(function (input) {
        input.checked = preferences[input.name] !== false;
      });
    }
  }

  function blocked() {
    Bank.say(state, Bank.t("pushBlocked"));
    toggle.hidden = true;
    prefs.hidden = true;
  }

  /* The VAPID key as the bytes PushManager.subscribe wants. */
  function keyBytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  function sameKey(subscribed, wanted) {
    var key = subscribed && subscribed.options && subscribed.options.applicationServerKey;
    if (!key) return true; // the browser does not say: trust it
    var a = new Uint8Array(key);
    if (a.length !== wanted.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== wanted[i]) return false;
    return true;
  }

  async function worker() {
    await navigator.serviceWorker.register("/sw.js");
    return navigator.serviceWorker.ready;
  }

  async function register(sub) {
    var answer = await Bank.api.post("/api/push/register", { subscription: sub.toJSON() });
    subscription = sub;
    show(true, answer.data.preferences);
  }

  /* The server's VAPID key; null when the server has push off (503). */
  async function serverKey() {
    try {
      return keyBytes((await Bank.api.get("/api/push/vapid-public-key", { auth: false })).data.publicKey);
    } catch (error) {
      if (error.status === 503) {
        Bank.say(state, error.message);
        toggle.hidden = true;
        prefs.hidden = true;
        return null;
      }
      throw error;
    }
  }

  async function turnOn() {
    var permission = await Notification.requestPermission();
    if (permission !== "granted") { blocked(); return; }
    var key = await serverKey();
    if (!key) return;
    var registration = await worker();
    var sub = await registration.pushManager.getSubscription();
    if (sub && !sameKey(sub, key)) { // the server's key changed: that subscription is useless
      await sub.unsubscribe();
      sub = null;
    }
    sub = sub || await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    await register(sub);
  }

  /* The browser's subscription now: its push service may have replaced the one this page
   * registered (the service worker has told the server of the new one). */
  async function latest() {
    var registration = await navigator.serviceWorker.ready;
    subscription = (await registration.pushManager.getSubscription()) || subscription;
    return subscription;
  }

  if (supported) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "push-renewed") latest().catch(function () {});
    });
  }

  async function turnOff() {
    if (await latest()) {
      try {
        await Bank.api.del("/api/push/unregister", { json: { endpoint: subscription.endpoint } });
      } catch (error) {
        if (error.status !== 404) throw error; // 404: already gone on the server
      }
      await subscription.unsubscribe();
      subscription = null;
    }
    show(false);
  }

  toggle.addEventListener("click", async function () {
    Bank.say(errorBox, "");
    toggle.disabled = true;
    try {
      if (toggle.getAttribute("data-on") === "true") await turnOff();
      else await turnOn();
    } catch (error) {
      fail(error);
    } finally {
      toggle.disabled = false;
    }
  });

  prefs.addEventListener("change", async function (event) {
    var input = event.target;
    if (!subscription || input.type !== "checkbox") return;
    Bank.say(errorBox, "");
    var change = { endpoint: (await latest()).endpoint };
    change[input.name] = input.checked;
    try {
      var answer = await Bank.api.put("/api/push/preferences", change);
      show(true, answer.data.preferences);
      Bank.say(state, Bank.t("saved"));
    } catch (error) {
      input.checked = !input.checked;
      fail(error);
    }
  });

  /* Signing out on a shared computer must not leave it receiving this person's news. */
  var logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", function () {
      if (!subscription) return;
      Bank.api.del("/api/push/unregister", { json: { endpoint: subscription.endpoint } }).catch(function () {});
      subscription.unsubscribe().catch(function () {});
    }, true); // before profile.js forgets the tokens
  }

  async function start() {
    if (!supported) {
      Bank.say(state, Bank.t("pushUnsupported"));
      return;
    }
    if (Notification.permission === "denied") { blocked(); return; }
    try {
      if (!await serverKey()) return;
      var registration = await worker();
      var sub = await registration.pushManager.getSubscription();
      if (sub && Notification.permission === "granted") await register(sub);
      else show(false);
    } catch (error) {
      show(false);
      fail(error);
    }
  }

  start();
})();
