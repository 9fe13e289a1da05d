/* The chat in the widget's iframe (/widget/<slug>): the greeting, the dialog, live replies,
 * typing, read receipts and the offline queue. transport.js makes the calls (as the
 * signed-in person or as a guest), view.js draws the messages, signin.js signs in by phone,
 * host.js talks to the host page (only unread counts and "close" go out).
 *
 * Messages go into a queue in localStorage before they are sent, each with a clientId that
 * makes a resend idempotent, so text typed offline goes out once when the connection is back.
 * A guest's dialog starts with the first message, so merely opening the chat creates nothing. */
(function () {
  "use strict";

  var Bank = window.Bank, $ = function (id) { return document.getElementById(id); };
  var config = JSON.parse($("widget-config").textContent);
  var words = JSON.parse($("i18n").textContent);
  var business = config.business, look = config.appearance;
  var list = $("messages"), text = $("text"), root = $("chat"), enc = encodeURIComponent;
  var TYPING_EVERY_MS = 3000, TYPING_SHOWN_MS = 6000;
  var store = new window.ChatStore("bank.widget." + business.id + ".");
  var api = new window.ChatTransport(business.slug, words, store);
  var view = new window.ChatView(list, words);

  var dialogId = null, loaded = null, live = null, myId = null, open = false, unread = 0;
  var seen = {}, cursor = null, lastTyping = 0, booted = false, typingTimer = null;
  var queue = store.load("queue") || [], flushing = false, ensuring = null;

  var fill = window.ChatView.fill;
  function say(message) { $("status").textContent = message || ""; $("status").hidden = !message; }
  function signedIn() { return api.signedIn(); }
  function mine() { return "dialog." + ((Bank.session.user() || {}).id || ""); }
  function complain(error) { say(error.message); }

  /* --- the host page (host.js) ------------------------------------------------------ */
  var host = window.ChatHost({
    init: function (identity, isOpen) { api.identity = identity; boot(); setOpen(isOpen); },
    open: setOpen,
    identify: function (identity) {
      if (signedIn() || JSON.stringify(identity) === JSON.stringify(api.identity)) return;
      api.identity = identity;
      if (booted) location.reload(); // start over: "init" brings the new identity
    }
  });
  var tell = host.tell;
  function setOpen(value) {
    open = value;
    if (!open) return;
    setTimeout(function () { text.focus(); });
    // A signed-in person's dialog opens with the chat (the bot greets a new one), as on our
    // own pages; a guest's waits for the first message.
    if (booted && signedIn() && !dialogId) ensureDialog().catch(complain);
    else seenAll();
  }
  $("close").hidden = !host.framed;
  $("close").addEventListener("click", function () { tell({ type: "close" }); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") tell({ type: "close" });
  });

  /* --- the dialog ------------------------------------------------------------------- */
  function dialogUrl(suffix) { return "/api/dialogs/" + enc(dialogId) + (suffix || ""); }

  function add(message) {
    if (seen[message.id]) return false;
    seen[message.id] = true;
    var sender = message.sender, kind = sender.kind;
    if (kind === "customer") myId = sender.id;
    // Our own message, live before its POST answered: it replaces the waiting bubble (the
    // one being sent is the queue's first).
    var sending = flushing && queue[0] && kind === "customer" &&
      (message.clientId === queue[0].clientId || message.text === queue[0].text);
    var pending = sending && view.pending(queue[0].clientId);
    if (pending) pending.remove();
    var author = kind === "customer" ? null : kind === "team" && sender.name
      ? (sender.businessName || business.name) + " · " + sender.name : business.name;
    var item = view.bubble(kind, message.text, message.createdAt, author);
    item.setAttribute("data-id", message.id);
    if (kind === "customer") view.tick(item, "sent");
    view.place(item);
    return true;
  }

  async function loadDialog() {
    loaded = dialogId;
    var page = (await api.call("GET", dialogUrl("/messages?limit=30"))).data;
    if ($("greeting")) $("greeting").remove(); // the dialog has the bot's real greeting
    page.items.forEach(add);
    cursor = page.nextCursor;
    $("older").hidden = !cursor;
    unread = (await api.call("GET", dialogUrl())).data.unreadCount || 0;
    if (open) seenAll(); else tell({ type: "unread", count: unread });
    listen(page.liveCursor); // from when the history was read: nothing in between is missed
  }

  async function older() {
    var page = (await api.call("GET", dialogUrl("/messages?limit=30&cursor=" + enc(cursor)))).data;
    page.items.forEach(add);
    cursor = page.nextCursor;
    $("older").hidden = !cursor;
  }

  function ensureDialog() { // one at a time: opening the chat and a first message may race
    if (!ensuring) {
      ensuring = (async function () {
        if (!signedIn() && !api.token) dialogId = (await api.session()).dialogId || dialogId;
        if (!dialogId) {
          var path = "/api/businesses/" + enc(business.id) + "/start-dialog";
          dialogId = (await api.call("POST", path)).data.id;
          if (signedIn()) store.keep(mine(), dialogId);
        }
        if (loaded !== dialogId) await loadDialog();
      })().finally(function () { ensuring = null; });
    }
    return ensuring;
  }

  function listen(lastEventId) {
    if (live) live.close();
    live = window.BankLive.open({
      url: "/api/stream?topics=" + enc("dialog:" + dialogId),
      lastEventId: lastEventId,
      getToken: signedIn() ? undefined : function () { return api.token; },
      onEvent: onEvent,
      onState: function (state, detail) {
        root.setAttribute("data-live", state);
        // A lasting condition, apart from what sending says: the server refused the stream.
        var note = state === "limited" ? (detail && detail.message) || words.liveLimited : "";
        $("live-note").textContent = note;
        $("live-note").hidden = !note;
        if (state === "open") flush(); // connected again: send what waited
        if (state === "unauthorized" && !signedIn()) { // the guest's token expired
          var resume = live.lastEventId();
          api.session().then(function () { listen(resume); }, function () { /* offline */ });
        }
      }
    });
  }

  function onEvent(event) {
    var data = event.data || {};
    if (event.event === "message") {
      if (!add(data) || data.sender.kind === "customer") return;
      $("typing").hidden = true;
      unread += 1;
      if (open && document.visibilityState === "visible") seenAll();
      else tell({ type: "unread", count: unread });
    } else if (event.event === "read" && data.userId && data.userId !== myId) {
      list.querySelectorAll(".msg--customer[data-id]").forEach(function (item) {
        if (!data.readAt || item.getAttribute("data-at") <= data.readAt) view.tick(item, "read");
      });
    } else if (event.event === "typing") {
      var who = data.user || data.sender || data;
      if ((who.userId || who.id) === myId || who.kind === "customer") return;
      $("typing").textContent = fill(words.typing, { name: who.name || business.name });
      $("typing").hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { $("typing").hidden = true; }, TYPING_SHOWN_MS);
    } else if (event.event === "reset") { // a gap the stream could not fill: reload
      list.textContent = "";
      seen = {};
      loadDialog().catch(function () { /* the next reconnection tries again */ });
    }
  }

  function seenAll() {
    if (!dialogId || document.visibilityState !== "visible") return;
    unread = 0;
    tell({ type: "unread", count: 0 });
    api.call("PATCH", dialogUrl("/read")).catch(function () { /* next time */ });
  }
  document.addEventListener("visibilitychange", function () { if (open) seenAll(); });

  /* --- sending, through the queue ---------------------------------------------------- */
  function pendingItem(entry) {
    var item = view.bubble("customer", entry.text, entry.at);
    item.setAttribute("data-client-id", entry.clientId);
    view.tick(item, "waiting");
    view.place(item);
  }

  function send() {
    var value = text.value.trim();
    if (!value) return;
    var clientId = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
    var entry = { clientId: clientId, text: value, at: new Date().toISOString() };
    queue.push(entry);
    store.keep("queue", queue);
    text.value = "";
    pendingItem(entry);
    flush();
  }

  async function flush() {
    if (flushing || !queue.length || !booted) return;
    flushing = true;
    try {
      while (queue.length) {
        var entry = queue[0];
        await ensureDialog();
        var sent = (await api.call("POST", dialogUrl("/messages"),
                                   { text: entry.text, clientId: entry.clientId })).data;
        queue.shift();
        store.keep("queue", queue);
        if (sent.sender) myId = sent.sender.id; // our own id, also when the POST answers first
        say("");
        var item = view.pending(entry.clientId);
        if (item && seen[sent.id]) {
          item.remove(); // the live event showed it already
        } else if (item) {
          seen[sent.id] = true;
          item.setAttribute("data-id", sent.id);
          item.removeAttribute("data-client-id");
          view.tick(item, "sent");
        }
      }
    } catch (error) {
      failed(error);
    } finally {
      flushing = false;
    }
  }

  function failed(error) {
    if (error.status === 0) return say(words.offline); // sent when the connection is back
    if (error.status === 429) {
      say(error.message);
      return setTimeout(flush, (error.retryAfter || 10) * 1000);
    }
    if (error.code === "identity_required") return signIn(words.signInRequired, true);
    var entry = queue.shift(); // refused for good: say why, and go on with the rest
    store.keep("queue", queue);
    var item = entry && view.pending(entry.clientId);
    if (item) view.tick(item, "failed");
    say(error.message);
    if (error.code !== "identity_invalid") setTimeout(flush);
  }
  window.addEventListener("online", flush);

  $("compose").addEventListener("submit", function (event) { event.preventDefault(); send(); });
  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); send(); }
  });
  text.addEventListener("input", function () { // "typing…" for the team, at most every 3 s
    if (!dialogId || !text.value.trim() || Date.now() - lastTyping < TYPING_EVERY_MS) return;
    lastTyping = Date.now();
    api.call("POST", dialogUrl("/typing")).catch(function () { /* it only informs */ });
  });
  $("older").addEventListener("click", function () { older().catch(complain); });

  /* --- phone sign-in (signin.js); then the chat goes on as the account ----------------- */
  var signIn = window.ChatSignIn({
    api: api, store: store, words: words, slug: business.slug, say: say, fill: fill,
    signedIn: async function (claimedDialogId) {
      api.token = null;
      if (live) live.close(); // it read with the guest's token
      loaded = null;
      dialogId = claimedDialogId || dialogId || store.load(mine());
      if (dialogId) store.keep(mine(), dialogId);
      if (dialogId || open) await ensureDialog();
      flush();
    }
  });

  /* --- start ------------------------------------------------------------------------ */
  async function start() {
    try {
      if (signedIn()) dialogId = store.load(mine());
      else if (store.load("guest") || api.identity) dialogId = (await api.session()).dialogId;
      if (dialogId || (open && signedIn())) await ensureDialog();
      flush();
    } catch (error) {
      if (error.code === "identity_required") signIn(words.signInRequired, true);
      else if (error.status) complain(error);
    }
  }

  function boot() {
    if (booted) return;
    booted = true;
    queue.forEach(pendingItem);
    if (look.identityRequired && !api.identity && !signedIn()) signIn(words.signInRequired, true);
    else start();
  }

  view.accent(look.color);
  $("foot").hidden = signedIn();
  if (config.greeting) { // a stand-in until there is a dialog, where the bot greets for real
    var greeting = view.bubble("bot", config.greeting, "", business.name);
    greeting.id = "greeting";
    list.appendChild(greeting);
  }
  view.presence(config, signedIn());
  if (host.framed) {
    tell({ type: "hello" });
    setTimeout(boot, 3000); // a host that never answers: start without its identity
  } else {
    boot();
    setOpen(true);
  }
})();
