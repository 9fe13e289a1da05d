/* Web Push on this browser, wherever a page offers it: the profile page (the site's app,
 * worker /sw.js) and the cabinet's inbox (the team's app, worker /cabinet/sw.js). Each
 * `[data-push-device="<prefix>"]` box has #<prefix>-state, -toggle, -prefs (checkboxes named
 * after the preferences) and -error, and says which worker, scope and app it is for
 * (data-worker, data-scope, data-app); its words come from data-word-* or the site's Bank.t.
 * The browser's subscription is the truth for "on": when it has one, it is registered again
 * (POST /api/push/register keeps the choices made before, and moves the device to whoever is
 * signed in now), which also gives the choices to show. Needs api.js. */
(function () {
  "use strict";

  var Bank = window.Bank;
  var supported = window.isSecureContext && "serviceWorker" in navigator &&
    "PushManager" in window && "Notification" in window;

  function say(element, text) {
    element.textContent = text || "";
    element.hidden = !text;
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

  function attach(box) {
    var prefix = box.getAttribute("data-push-device");
    var part = function (name) { return document.getElementById(prefix + "-" + name); };
    var state = part("state"), toggle = part("toggle"), prefs = part("prefs"), errorBox = part("error");
    var options = box.dataset;
    var subscription = null;

    function word(key) {
      var own = options["word" + key.charAt(0).toUpperCase() + key.slice(1)];
      return own || (Bank.t ? Bank.t(key) : key);
    }

    function fail(error) {
      if (Bank.handleAuthError && Bank.handleAuthError(error)) return;
      say(errorBox, Bank.errorText ? Bank.errorText(error) : error.message);
    }

    function show(on, preferences) {
      say(state, word(on ? "pushOn" : "pushOff"));
      toggle.textContent = word(on ? "pushTurnOff" : "pushTurnOn");
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
      say(state, word("pushBlocked"));
      toggle.hidden = true;
      prefs.hidden = true;
    }

    async function worker() {
      await navigator.serviceWorker.register(options.worker, { scope: options.scope });
      return navigator.serviceWorker.ready; // this page's worker: the one just registered
    }

    async function register(sub) {
      var answer = await Bank.api.post("/api/push/register", { subscription: sub.toJSON(), app: options.app });
      subscription = sub;
      show(true, answer.data.preferences);
    }

    /* The server's VAPID key; null when the server has push off (503). */
    async function serverKey() {
      try {
        return keyBytes((await Bank.api.get("/api/push/vapid-public-key", { auth: false })).data.publicKey);
      } catch (error) {
        if (error.status === 503) {
          say(state, error.message);
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
      var registration = await worker();
      subscription = (await registration.pushManager.getSubscription()) || subscription;
      return subscription;
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

    document.addEventListener("bank:push-renewed", function () { latest().catch(function () {}); });

    toggle.addEventListener("click", async function () {
      say(errorBox, "");
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
      say(errorBox, "");
      var change = { endpoint: (await latest()).endpoint };
      change[input.name] = input.checked;
      try {
        var answer = await Bank.api.put("/api/push/preferences", change);
        show(true, answer.data.preferences);
        say(state, word("saved"));
      } catch (error) {
        input.checked = !input.checked;
        fail(error);
      }
    });

    /* Signing out on a shared computer must not leave it receiving this person's news: the
     * device is removed first, with the token still at hand (keepalive outlives the page). */
    var signOut = options.signOut && document.getElementById(options.signOut);
    if (signOut) {
      signOut.addEventListener(signOut.tagName === "FORM" ? "submit" : "click", function () {
        if (!subscription) return;
        fetch("/api/push/unregister", {
          method: "DELETE", keepalive: true, credentials: "omit",
          headers: { "Content-Type": "application/json",
                     Authorization: "Bearer " + Bank.session.accessToken() },
          body: JSON.stringify({ endpoint: subscription.endpoint })
        }).catch(function () {});
        subscription.unsubscribe().catch(function () {});
      }, true); // before the page's own handler forgets the tokens
    }

    async function start() {
      if (!supported) {
        say(state, word("pushUnsupported"));
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
  }

  if (supported) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "push-renewed") {
        document.dispatchEvent(new CustomEvent("bank:push-renewed"));
      }
    });
  }

  function attachAll() {
    if (!Bank.session.signedIn()) return; // the pages send signed-out visitors away
    document.querySelectorAll("[data-push-device]").forEach(attach);
  }
  // The cabinet's page gets its tokens a moment after load (cabinet-site.js).
  if (Bank.session.signedIn()) attachAll();
  else document.addEventListener("bank:signed-in", attachAll, { once: true });
})();
