/* One of my dialogs (/my/dialogs/<id>): read and write, live, by the widget chat's rules
 * (widget/static/chat.js):
 *  - the history newest page first, "Earlier messages" with the cursor; the stream is opened
 *    with the newest page's liveCursor, so nothing written after that read is missed;
 *  - a message waits in a queue in localStorage with a clientId, so a resend (after a lost
 *    connection or a reload) posts it once;
 *  - "typing…" both ways (ours at most every 3 s), read receipts (✓ sent, ✓✓ read), and the
 *    dialog marked read while the page is in view;
 *  - a stream the server refuses (too many open) says so, with the server's words.
 * Message text goes in with textContent only. Needs site.js and live.js. */
(function () {
  "use strict";

  var Bank = window.Bank;
  if (!Bank.requireSignIn()) return;

  var $ = function (id) { return document.getElementById(id); };
  var root = $("chat"), list = $("messages"), text = $("text"), body = $("chat-body");
  var dialogId = root.getAttribute("data-dialog-id");
  var url = "/api/dialogs/" + encodeURIComponent(dialogId);
  var QUEUE_KEY = "bank.dialog." + dialogId + ".queue";
  var TYPING_EVERY_MS = 3000, TYPING_SHOWN_MS = 6000;
  var TICKS = { sent: "✓", read: "✓✓", waiting: "…", failed: "!" };

  var dialog = null, seen = {}, cursor = null, live = null, flushing = false;
  var lastTyping = 0, typingTimer = null, queue = loadQueue();

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY)) || []; } catch (e) { return []; }
  }
  function keepQueue() {
    try {
      if (queue.length) localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
      else localStorage.removeItem(QUEUE_KEY);
    } catch (e) { /* no storage: the queue lasts as long as the page */ }
  }
  function say(message) { Bank.say($("chat-error"), message); }

  /* --- drawing --------------------------------------------------------------------------- */
  function bubble(kind, value, at, author) {
    var item = document.createElement("li");
    item.className = "msg msg--" + kind;
    item.setAttribute("data-at", at || "");
    if (author) {
      var name = document.createElement("span");
      name.className = "msg__author";
      name.textContent = author;
      item.appendChild(name);
    }
    var p = document.createElement("p");
    p.className = "msg__text";
    p.textContent = value;
    var meta = document.createElement("span");
    meta.className = "msg__meta";
    if (at) {
      var time = document.createElement("time");
      time.dateTime = at;
      time.textContent = new Date(at).toLocaleString(Bank.lang, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
      meta.appendChild(time);
    }
    item.append(p, meta);
    return item;
  }

  /* My own messages: ✓ sent, ✓✓ read by the business, … waiting, ! not sent. */
  function tick(item, state) {
    var mark = item.querySelector(".msg__tick") || document.createElement("span");
    mark.className = "msg__tick";
    mark.setAttribute("data-state", state);
    mark.textContent = " " + TICKS[state];
    mark.title = Bank.t(state);
    var label = mark.querySelector(".visually-hidden") || document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = " " + Bank.t(state);
    mark.appendChild(label);
    item.querySelector(".msg__meta").appendChild(mark);
    item.classList.toggle("msg--pending", state === "waiting");
    item.classList.toggle("msg--failed", state === "failed");
  }

  /* In order of time, so history, live events and sent messages may come in any order. */
  function place(item) {
    var at = item.getAttribute("data-at"), next = null;
    var atBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 80;
    for (var node = list.lastElementChild; node; node = node.previousElementSibling) {
      if (node.getAttribute("data-at") <= at) break;
      next = node;
    }
    list.insertBefore(item, next);
    if (!next && atBottom) body.scrollTop = body.scrollHeight;
    $("chat-status").textContent = "";
  }

  function pendingItem(clientId) {
    return list.querySelector('[data-client-id="' + CSS.escape(clientId) + '"]');
  }

  function author(message) {
    var sender = message.sender;
    if (sender.kind === "customer") return null;
    var business = sender.businessName || dialog.business.name;
    return sender.kind === "team" && sender.name ? business + " · " + sender.name : business;
  }

  function add(message) {
    if (!message.id || seen[message.id]) return false;
    seen[message.id] = true;
    var mine = message.sender.kind === "customer";
    // My own message, live before its POST answered: it takes the waiting bubble's place.
    var waiting = mine && message.clientId && pendingItem(message.clientId);
    if (waiting) waiting.remove();
    var item = bubble(message.sender.kind, message.text, message.createdAt, author(message));
    item.setAttribute("data-id", message.id);
    if (mine) tick(item, "sent");
    place(item);
    return true;
  }

  /* --- reading ----------------------------------------------------------------------------- */
  async function loadNewest() {
    var page = (await Bank.api.get(url + "/messages?limit=30")).data;
    page.items.forEach(add);
    cursor = page.nextCursor;
    $("older").hidden = !cursor;
    if (!list.children.length) $("chat-status").textContent = Bank.t("noMessages");
    body.scrollTop = body.scrollHeight;
    return page.liveCursor;
  }

  async function older() {
    var height = body.scrollHeight;
    var page = (await Bank.api.get(url + "/messages?limit=30&cursor=" + encodeURIComponent(cursor))).data;
    page.items.forEach(add);
    cursor = page.nextCursor;
    $("older").hidden = !cursor;
    body.scrollTop += body.scrollHeight - height; // keep what was in view where it was
  }

  function seenAll() {
    if (document.visibilityState !== "visible") return;
    Bank.api.request("PATCH", url + "/read").catch(function () { /* next time */ });
  }
  document.addEventListener("visibilitychange", seenAll);

  /* --- live ------------------------------------------------------------------------------- */
  function listen(lastEventId) {
    if (live) live.close();
    live = window.BankLive.open({
      url: "/api/stream?topics=" + encodeURIComponent("dialog:" + dialogId),
      lastEventId: lastEventId,
      onEvent: onEvent,
      onState: function (state, detail) {
        root.setAttribute("data-live", state);
        if (state === "unauthorized") return Bank.handleAuthError({ status: 401 });
        // A lasting condition, apart from what sending says: the server refused the stream.
        var note = state === "limited" ? (detail && detail.message) || Bank.t("liveLimited")
          : state === "failed" ? Bank.t("liveFailed") : "";
        Bank.say($("live-note"), note);
        if (state === "open") flush(); // connected again: send what waited
      }
    });
  }

  function onEvent(event) {
    var data = event.data || {};
    if (event.event === "message") {
      if (!add(data) || data.sender.kind === "customer") return;
      $("typing").hidden = true;
      seenAll();
    } else if (event.event === "read" && data.userId && data.userId !== dialog.customer.id) {
      list.querySelectorAll(".msg--customer[data-id]").forEach(function (item) {
        if (!data.readAt || item.getAttribute("data-at") <= data.readAt) tick(item, "read");
      });
    } else if (event.event === "typing" && data.kind !== "customer") {
      $("typing").textContent = Bank.t("typing", { name: data.name || dialog.business.name });
      $("typing").hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { $("typing").hidden = true; }, TYPING_SHOWN_MS);
    } else if (event.event === "reset") { // a gap the stream could not fill: read it again
      list.querySelectorAll("[data-id]").forEach(function (item) { item.remove(); });
      seen = {};
      loadNewest().catch(function () { /* the next reconnection tries again */ });
    }
  }

  /* --- writing, through the queue ------------------------------------------------------- */
  function showWaiting(entry) {
    var item = bubble("customer", entry.text, entry.at);
    item.setAttribute("data-client-id", entry.clientId);
    tick(item, "waiting");
    place(item);
    body.scrollTop = body.scrollHeight;
  }

  function send() {
    var value = text.value.trim();
    if (!value) return;
    var clientId = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
    var entry = { clientId: clientId, text: value, at: new Date().toISOString() };
    queue.push(entry);
    keepQueue();
    text.value = "";
    showWaiting(entry);
    flush();
  }

  async function flush() {
    if (flushing || !queue.length || !dialog) return;
    flushing = true;
    try {
      while (queue.length) {
        var entry = queue[0];
        var sent = (await Bank.api.post(url + "/messages", { text: entry.text, clientId: entry.clientId })).data;
        queue.shift();
        keepQueue();
        say("");
        var item = pendingItem(entry.clientId);
        if (!item) continue;
        if (!sent.id || seen[sent.id]) {
          item.remove(); // shown already (live, or a resend of one in the history)
        } else {
          seen[sent.id] = true;
          item.setAttribute("data-id", sent.id);
          item.removeAttribute("data-client-id");
          tick(item, "sent");
        }
      }
    } catch (error) {
      failed(error);
    } finally {
      flushing = false;
    }
  }

  function failed(error) {
    if (error.status === 0) return say(Bank.t("offline")); // sent when the connection is back
    if (Bank.handleAuthError(error)) return;
    if (error.status === 429) {
      say(error.message);
      return setTimeout(flush, (error.retryAfter || 10) * 1000);
    }
    var entry = queue.shift(); // refused for good: say why, and go on with the rest
    keepQueue();
    var item = entry && pendingItem(entry.clientId);
    if (item) tick(item, "failed");
    say(Bank.errorText(error));
    setTimeout(flush);
  }
  window.addEventListener("online", flush);

  $("compose").addEventListener("submit", function (event) { event.preventDefault(); send(); });
  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); send(); }
  });
  text.addEventListener("input", function () { // "typing…" for the team, at most every 3 s
    if (!text.value.trim() || Date.now() - lastTyping < TYPING_EVERY_MS) return;
    lastTyping = Date.now();
    Bank.api.post(url + "/typing").catch(function () { /* it only informs */ });
  });
  $("older").addEventListener("click", function () {
    older().catch(function (error) { say(Bank.errorText(error)); });
  });

  /* --- start ------------------------------------------------------------------------------ */
  (async function start() {
    try {
      dialog = (await Bank.api.get(url)).data;
      $("chat-title").textContent = dialog.business.name;
      document.title = dialog.business.name + " · Bank";
      $("business-link").href = "/b/" + encodeURIComponent(dialog.business.slug);
      $("business-link").hidden = false;
      queue.forEach(showWaiting);
      listen(await loadNewest()); // from when the history was read: nothing in between is missed
      text.disabled = $("send").disabled = false;
      seenAll();
      flush();
    } catch (error) {
      $("chat-status").textContent = "";
      if (!Bank.handleAuthError(error)) say(Bank.errorText(error));
    }
  })();
})();
