/* How the chat shows messages (widget/static/chat.js uses it): every message text goes in as
 * text nodes, and its http(s) links as <a> elements built here, so nothing in a message is
 * ever read as HTML ("<img src=x onerror=…>" shows as those characters). */
(function () {
  "use strict";

  var LINK = /\bhttps?:\/\/[^\s<>"]+/gi;
  var TICKS = { sent: " ✓", read: " ✓✓", waiting: " …", failed: " !" };

  /* Text with its links clickable; only http: and https: URLs become links. */
  function linked(value) {
    var out = document.createDocumentFragment(), last = 0, match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(value))) {
      var url = match[0].replace(/[.,!?;:)\]»]+$/, ""), href = null;
      try { href = new URL(url); } catch (e) { href = null; }
      if (!href || (href.protocol !== "https:" && href.protocol !== "http:")) continue;
      out.appendChild(document.createTextNode(value.slice(last, match.index)));
      var a = document.createElement("a");
      a.href = href.href;
      a.textContent = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer"; // the opened site gets no handle on the chat
      out.appendChild(a);
      last = match.index + url.length;
      LINK.lastIndex = last;
    }
    out.appendChild(document.createTextNode(value.slice(last)));
    return out;
  }

  /* "{name} is typing" with {name: "Анна"}. */
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return values[name]; });
  }

  function ChatView(list, words) {
    this.list = list;
    this.words = words;
  }

  /* A message's element: kind (customer, team, bot), text, ISO time; `author` for others. */
  ChatView.prototype.bubble = function (kind, body, at, author) {
    var item = document.createElement("li");
    item.className = "msg msg--" + kind;
    item.setAttribute("data-at", at);
    if (author) {
      var name = document.createElement("span");
      name.className = "msg__author";
      name.textContent = author;
      item.appendChild(name);
    }
    var p = document.createElement("p");
    p.className = "msg__text";
    p.appendChild(linked(body));
    var meta = document.createElement("span");
    meta.className = "msg__meta";
    if (at) {
      var time = document.createElement("time");
      time.dateTime = at;
      time.textContent = new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      meta.appendChild(time);
    }
    item.append(p, meta);
    return item;
  };

  /* The customer's own messages: ✓ sent, ✓✓ read by the team, … waiting, ! not sent. */
  ChatView.prototype.tick = function (item, state) {
    var mark = item.querySelector(".msg__tick") || document.createElement("span");
    mark.className = "msg__tick";
    mark.setAttribute("data-state", state);
    mark.textContent = TICKS[state];
    mark.title = this.words[state];
    item.querySelector(".msg__meta").appendChild(mark);
    item.classList.toggle("msg--pending", state === "waiting");
    item.classList.toggle("msg--failed", state === "failed");
  };

  /* Put an element where its time belongs, so the history, live events and sent messages may
   * arrive in any order. */
  ChatView.prototype.place = function (item) {
    var at = item.getAttribute("data-at"), next = null;
    for (var node = this.list.lastElementChild; node; node = node.previousElementSibling) {
      if (node.getAttribute("data-at") <= at) break;
      next = node;
    }
    this.list.insertBefore(item, next);
    if (!next) item.scrollIntoView({ block: "end" });
  };

  /* The business's colour, and the text colour that reads on it (set through the CSSOM,
   * which the page's CSP allows, unlike a style attribute). */
  ChatView.prototype.accent = function (color) {
    var rgb = parseInt(color.slice(1), 16);
    var light = 0.299 * (rgb >> 16) + 0.587 * (rgb >> 8 & 255) + 0.114 * (rgb & 255) > 160;
    document.documentElement.style.setProperty("--accent", color);
    document.documentElement.style.setProperty("--ink", light ? "#111" : "#fff");
  };

  /* "Online", or outside business hours when the team answers (in the visitor's time zone),
   * the away message, and for a guest the offer to sign in for a notification. */
  ChatView.prototype.presence = function (config, signedIn) {
    var words = this.words;
    if (config.online === true) document.getElementById("presence").textContent = words.online;
    if (config.online !== false) return;
    var when = config.nextOpeningAt && new Date(config.nextOpeningAt).toLocaleString(
      document.documentElement.lang, { weekday: "long", day: "numeric", month: "long",
                                       hour: "2-digit", minute: "2-digit" });
    var away = document.getElementById("away");
    away.textContent = [when ? fill(words.closed, { when: when }) : "", config.awayMessage || "",
                        signedIn ? "" : words.signInOffer].filter(Boolean).join("\n");
    away.hidden = false;
  };

  ChatView.prototype.pending = function (clientId) {
    return this.list.querySelector('[data-client-id="' + CSS.escape(clientId) + '"]');
  };

  ChatView.fill = fill;
  window.ChatView = ChatView;
})();
