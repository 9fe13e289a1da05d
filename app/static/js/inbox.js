/* The cabinet's team inbox (admin/templates/cabinet/inbox.html), on top of its plain forms:
 *  - the reply is sent without reloading (the same form, answered as JSON);
 *  - a quick reply is inserted into the reply box with one click;
 *  - the live stream (live.js, signed in by the session cookie) appends new messages of the
 *    open dialog and refreshes the dialog list when any dialog of the business changes.
 *  - from the keyboard: the arrow keys (and Home, End) move through the list, Enter opens a
 *    dialog, Escape goes back to the list (on a phone's two screens, and out of an empty
 *    reply box), and the list puts the focus back on the dialog one came from.
 * Message text only ever goes into the page through textContent. The list comes from the
 * server already rendered (Jinja autoescapes the text in it). */
(function () {
  "use strict";

  var root = document.getElementById("inbox");
  if (!root) return;
  var data = root.dataset;
  var dialogId = data.dialog || null;
  var canReply = data.canReply === "1";
  var messages = document.getElementById("messages");
  var box = document.getElementById("messages-box");
  var template = document.getElementById("message-template");
  var form = document.getElementById("reply-form");
  var text = document.getElementById("reply-text");
  var errorBox = document.getElementById("reply-error");
  var liveState = document.getElementById("live-state");

  function localize(scope) {
    scope.querySelectorAll("time[datetime]").forEach(function (node) {
      var at = new Date(node.getAttribute("datetime"));
      if (node.getAttribute("datetime") && !isNaN(at)) {
        node.textContent = at.toLocaleString([], { dateStyle: "short", timeStyle: "short" });
      }
    });
  }

  function scrollDown() {
    if (!box) return;
    box.scrollTop = box.scrollHeight;
    // On a phone the page itself scrolls (the reply box is docked at its bottom).
    if (box.scrollHeight <= box.clientHeight + 1) window.scrollTo(0, document.body.scrollHeight);
  }

  function author(message) {
    var sender = message.sender || {};
    if (sender.kind === "bot") return (sender.businessName || sender.name || "") + " (" + data.labelBot + ")";
    if (sender.kind === "team") return sender.name || data.labelTeam;
    return sender.name || data.labelCustomer;
  }

  /* One message, built from the server's own markup; skipped if it is already shown (the
   * sender's reply arrives both in the answer and on the stream). */
  function addMessage(message) {
    if (!messages || !template || !message || !message.id) return;
    var shown = messages.querySelectorAll("[data-id]");
    for (var i = 0; i < shown.length; i += 1) {
      if (shown[i].getAttribute("data-id") === message.id) return;
    }
    var empty = document.getElementById("no-messages");
    if (empty) empty.remove();
    var node = template.content.firstElementChild.cloneNode(true);
    node.setAttribute("data-id", message.id);
    node.setAttribute("data-kind", (message.sender && message.sender.kind) || "team");
    node.querySelector(".message-author").textContent = author(message);
    node.querySelector("time").setAttribute("datetime", message.createdAt || "");
    node.querySelector(".message-text").textContent = message.text;
    messages.appendChild(node);
    localize(node);
    scrollDown();
  }

  function setCsrf(token) {
    data.csrf = token;
    document.querySelectorAll("input[name=csrf_token]").forEach(function (input) { input.value = token; });
  }

  /* POST a form body as JSON-wanting fetch; retried once with a fresh CSRF token when the
   * page has been open longer than the token lives. */
  async function send(url, body, retried) {
    var response = await fetch(url, { method: "POST", body: body, credentials: "same-origin",
                                      headers: { Accept: "application/json" } });
    var answer = await response.json().catch(function () { return {}; });
    if (!response.ok && answer.error && answer.error.csrfToken && !retried) {
      setCsrf(answer.error.csrfToken);
      body.set("csrf_token", answer.error.csrfToken);
      return send(url, body, true);
    }
    if (!response.ok) throw new Error((answer.error && answer.error.message) || data.labelError);
    return answer;
  }

  function markRead() {
    if (!dialogId || !canReply || !data.readUrl) return Promise.resolve();
    var body = new FormData();
    body.set("csrf_token", data.csrf);
    return send(data.readUrl, body).catch(function () { /* the badge stays; harmless */ });
  }

  /* The list, re-rendered by the server with the page's filters. */
  var refreshTimer = null;
  function refreshList() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async function () {
      try {
        var response = await fetch(data.listUrl, { credentials: "same-origin" });
        if (!response.ok) return;
        var parsed = new DOMParser().parseFromString(await response.text(), "text/html");
        var list = document.getElementById("dialog-list");
        var focused = list.contains(document.activeElement) &&
          document.activeElement.getAttribute("data-dialog");
        list.replaceChildren.apply(list, Array.from(parsed.body.childNodes));
        localize(list);
        if (focused) focusDialog(focused);
      } catch (e) { /* the next event tries again */ }
    }, 250);
  }

  if (form && text) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      errorBox.textContent = "";
      var button = document.getElementById("send-reply");
      button.disabled = true;
      try {
        var answer = await send(form.action, new FormData(form));
        addMessage(answer.data);
        text.value = "";
        refreshList();
      } catch (e) {
        errorBox.textContent = e.message || data.labelError;
      } finally {
        button.disabled = false;
        text.focus();
      }
    });
    // The customer's chat shows "typing…"; one signal every 3 s at most is enough for that.
    var typingSentAt = 0;
    text.addEventListener("input", function () {
      if (!data.typingUrl || Date.now() - typingSentAt < 3000) return;
      typingSentAt = Date.now();
      var body = new FormData();
      body.set("csrf_token", data.csrf);
      send(data.typingUrl, body).catch(function () { /* only a hint */ });
    });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    document.querySelectorAll(".quick-reply").forEach(function (button) {
      button.addEventListener("click", function () {
        text.setRangeText(button.getAttribute("data-text"), text.selectionStart, text.selectionEnd, "end");
        text.focus();
      });
    });
  }

  var typingLine = document.getElementById("customer-typing");
  var typingTimer = null;
  function showTyping(expiresAt) {
    if (!typingLine) return;
    typingLine.hidden = false;
    clearTimeout(typingTimer);
    var left = Math.min(10000, Math.max(1000, new Date(expiresAt) - Date.now() || 5000));
    typingTimer = setTimeout(function () { typingLine.hidden = true; }, left);
  }

  /* The keyboard. */
  function listLinks() {
    return Array.from(document.querySelectorAll("#dialogs a[data-dialog]"));
  }

  function focusDialog(id) {
    var link = listLinks().filter(function (a) { return a.getAttribute("data-dialog") === id; })[0];
    if (link) link.focus();
    return !!link;
  }

  document.getElementById("dialog-list").addEventListener("keydown", function (event) {
    var links = listLinks();
    var at = links.indexOf(document.activeElement);
    if (at < 0) return;
    var to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: links.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    links[Math.max(0, Math.min(links.length - 1, to))].focus();
  });

  var back = document.getElementById("back-to-list");
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !back || event.defaultPrevented) return;
    var inReply = document.activeElement === text;
    if (inReply && text.value.trim()) return; // a draft is not thrown away by a key
    if (!inReply && window.matchMedia("(min-width: 768px)").matches) return;
    event.preventDefault();
    back.click();
  });

  if (back) {
    back.addEventListener("click", function () {
      try { sessionStorage.setItem("bank.inbox.from", dialogId); } catch (e) { /* no storage */ }
    });
  }
  if (!dialogId) {
    var from = null;
    try { from = sessionStorage.getItem("bank.inbox.from"); sessionStorage.removeItem("bank.inbox.from"); } catch (e) { /* no storage */ }
    if (from) focusDialog(from);
  }

  var unseen = false;
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && unseen) {
      unseen = false;
      markRead().then(refreshList);
    }
  });

  if (window.BankLive && data.streamUrl) {
    window.BankLive.open({
      url: data.streamUrl,
      lastEventId: data.liveCursor || null, // what happens after the page was made is replayed
      headers: {}, // signed in by the session cookie, not a token
      onEvent: function (event) {
        if (event.event === "reset") { window.location.reload(); return; }
        if (event.event === "message" && dialogId && event.topic === "dialog:" + dialogId) {
          addMessage(event.data);
          if (typingLine && event.data.sender && event.data.sender.kind === "customer") {
            typingLine.hidden = true;
          }
          // Someone is looking at it: the team has read it (the badge is for repliers).
          // In a hidden tab it waits until the tab is shown again.
          if (event.data.sender && event.data.sender.kind === "customer") {
            if (document.visibilityState === "hidden") unseen = true;
            else markRead().then(refreshList);
          }
        } else if (event.event === "typing" && dialogId && event.topic === "dialog:" + dialogId
                   && event.data.kind === "customer") {
          showTyping(event.data.expiresAt);
        } else if (event.event === "dialog") {
          refreshList();
        }
      },
      onState: function (state, detail) {
        if (!liveState) return;
        var label = { open: data.labelOpen, reconnecting: data.labelReconnecting,
                      limited: (detail && detail.message) || data.labelLimited,
                      failed: data.labelFailed, unauthorized: data.labelFailed }[state];
        liveState.textContent = label || "";
        liveState.setAttribute("data-state", state);
      }
    });
  }

  /* On a phone the reply box is docked to the screen's bottom: the page keeps that much room
   * below the last message, however tall the box grows. */
  var dock = document.getElementById("reply-dock");
  if (dock && "ResizeObserver" in window) {
    new ResizeObserver(function () {
      root.style.setProperty("--dock-height", dock.offsetHeight + "px");
    }).observe(dock);
  }

  localize(document);
  scrollDown();
})();
