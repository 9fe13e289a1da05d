/* The customer's chat with a business: start (or reopen) the dialog, show its messages, send,
 * and receive the team's and the bot's answers live. Message text always goes in with
 * textContent, so "<img onerror=…>" shows as the characters it is. */
(function () {
  "use strict";

  var Bank = window.Bank;

  function Chat(root) {
    this.root = root;
    this.list = root.querySelector("#chat-messages");
    this.form = root.querySelector("#chat-form");
    this.text = root.querySelector("#chat-text");
    this.status = root.querySelector("#chat-status");
    this.older = root.querySelector("#chat-older");
    this.seen = {};
    this.cursor = null;
    this.dialogId = null;
    this.live = null;
    var self = this;
    this.form.addEventListener("submit", function (event) { event.preventDefault(); self.send(); });
    this.text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); self.send(); }
    });
    this.older.addEventListener("click", function () { self.loadOlder(); });
  }

  Chat.prototype.open = async function () {
    this.root.hidden = false;
    if (this.dialogId) { this.text.focus(); return; }
    var businessId = this.root.getAttribute("data-business-id");
    try {
      var started = await Bank.api.post("/api/businesses/" + encodeURIComponent(businessId) + "/start-dialog");
      this.dialogId = started.data.id;
      this.root.setAttribute("data-dialog-id", this.dialogId);
      await this.loadOlder();
      this.listen();
      this.markRead();
      this.text.focus();
    } catch (error) {
      Bank.say(this.status, Bank.errorText(error));
    }
  };

  Chat.prototype.url = function (suffix) {
    return "/api/dialogs/" + encodeURIComponent(this.dialogId) + (suffix || "");
  };

  Chat.prototype.loadOlder = async function () {
    var query = "?limit=30" + (this.cursor ? "&cursor=" + encodeURIComponent(this.cursor) : "");
    var page = (await Bank.api.get(this.url("/messages" + query))).data;
    var first = this.list.firstChild;
    // The page is newest first; the list reads oldest first.
    for (var i = page.items.length - 1; i >= 0; i--) this.add(page.items[i], first);
    this.cursor = page.nextCursor;
    this.older.hidden = !this.cursor;
    if (!first) this.list.scrollTop = this.list.scrollHeight;
  };

  Chat.prototype.add = function (message, before) {
    if (this.seen[message.id]) return;
    this.seen[message.id] = true;
    var item = document.createElement("li");
    item.className = "chat__message chat__message--" + message.sender.kind;
    item.setAttribute("data-id", message.id);
    var author = document.createElement("span");
    author.className = "chat__author";
    var sender = message.sender;
    author.textContent = sender.kind === "team" ? sender.businessName + " · " + (sender.name || "")
      : (sender.kind === "bot" ? (sender.businessName || sender.name) : (sender.name || ""));
    var text = document.createElement("p");
    text.className = "chat__text";
    text.textContent = message.text;
    var time = document.createElement("time");
    time.dateTime = message.createdAt;
    time.textContent = new Date(message.createdAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    item.append(author, text, time);
    this.list.insertBefore(item, before || null);
    if (!before) item.scrollIntoView({ block: "nearest" });
  };

  Chat.prototype.send = async function () {
    var text = this.text.value.trim();
    if (!text || !this.dialogId) return;
    Bank.say(this.status, "");
    this.form.setAttribute("aria-busy", "true");
    try {
      var answer = await Bank.api.post(this.url("/messages"), { text: text });
      this.text.value = "";
      this.add(answer.data);
    } catch (error) {
      Bank.say(this.status, Bank.errorText(error));
    } finally {
      this.form.removeAttribute("aria-busy");
    }
  };

  Chat.prototype.listen = function () {
    var self = this;
    this.live = window.BankLive.open({
      url: "/api/stream?topics=" + encodeURIComponent("dialog:" + this.dialogId),
      onEvent: function (event) {
        if (event.event === "message") {
          self.add(event.data);
          if (event.data.sender.kind !== "customer") self.markRead();
        } else if (event.event === "reset") {
          self.cursor = null;
          self.loadOlder();
        }
      },
      onState: function (state) { self.root.setAttribute("data-live", state); }
    });
  };

  Chat.prototype.markRead = function () {
    if (document.visibilityState === "hidden") return;
    Bank.api.request("PATCH", this.url("/read")).catch(function () { /* next time */ });
  };

  Bank.Chat = Chat;
})();
