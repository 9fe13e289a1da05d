/* My dialogs (/my/dialogs): my conversations with businesses, the latest first, with my
 * unread counts, from GET /api/dialogs ("Show more" pages on). The list follows my `user:<id>`
 * topic live: a `dialog` event (a new last message in one of them) reads the first page again
 * and puts each row where it now belongs. Needs site.js and live.js. */
(function () {
  "use strict";

  var Bank = window.Bank;
  if (!Bank.requireSignIn()) return;

  var list = document.getElementById("dialogs");
  var status = document.getElementById("dialogs-status");
  var errorBox = document.getElementById("dialogs-error");
  var liveNote = document.getElementById("live-note");
  var more = document.getElementById("dialogs-more");
  var page = 0, PAGE = 20, refreshTimer = null;

  var el = Bank.el;

  function when(iso) {
    var at = new Date(iso);
    if (!iso || isNaN(at)) return "";
    var today = new Date().toDateString() === at.toDateString();
    return today ? at.toLocaleTimeString(Bank.lang, { hour: "2-digit", minute: "2-digit" })
      : at.toLocaleDateString(Bank.lang, { day: "numeric", month: "short" });
  }

  function badge(business) {
    var sum = 0;
    for (var i = 0; i < business.id.length; i++) sum += business.id.charCodeAt(i);
    var letter = (business.name.match(/[\p{L}\p{N}]/u) || ["•"])[0].toUpperCase();
    var span = el("span", "logo logo--small badge badge--c" + (sum % 8), letter);
    span.setAttribute("aria-hidden", "true");
    return span;
  }

  function row(dialog) {
    var li = el("li", "card dialog-row");
    li.setAttribute("data-dialog-id", dialog.id);
    li.setAttribute("data-at", dialog.lastMessageAt || "");
    var link = el("a", "dialog-row__link");
    link.href = "/my/dialogs/" + encodeURIComponent(dialog.id);
    var body = el("span", "dialog-row__body");
    body.appendChild(el("span", "dialog-row__name", dialog.business.name));
    var last = dialog.lastMessage;
    if (last) {
      var text = last.kind === "customer" ? Bank.t("you", { text: last.text }) : last.text;
      body.appendChild(el("span", "dialog-row__preview", text));
    }
    var side = el("span", "dialog-row__side");
    var time = el("time", "muted", when(dialog.lastMessageAt));
    time.dateTime = dialog.lastMessageAt || "";
    side.appendChild(time);
    if (dialog.unreadCount > 0) {
      var count = el("span", "unread", Bank.formatNumber(dialog.unreadCount));
      count.setAttribute("aria-label", Bank.plural("unread", dialog.unreadCount));
      count.setAttribute("role", "img");
      side.appendChild(count);
      li.classList.add("dialog-row--unread");
    }
    link.append(badge(dialog.business), body, side);
    li.appendChild(link);
    return li;
  }

  /* Put (or replace) a dialog's row in order of its last message, the latest first. */
  function place(dialog) {
    var fresh = row(dialog);
    var old = list.querySelector('[data-dialog-id="' + CSS.escape(dialog.id) + '"]');
    if (old) old.remove();
    var at = fresh.getAttribute("data-at"), next = null;
    for (var node = list.firstElementChild; node; node = node.nextElementSibling) {
      if (node.getAttribute("data-at") < at) { next = node; break; }
    }
    // Older than every row shown, with more pages to read: it comes with its page.
    if (!next && !more.hidden) return;
    list.insertBefore(fresh, next);
  }

  async function load() {
    more.disabled = true;
    try {
      var answer = await Bank.api.get("/api/dialogs?limit=" + PAGE + "&page=" + (page + 1));
      page = answer.pagination.page;
      answer.data.forEach(function (dialog) {
        var shown = list.querySelector('[data-dialog-id="' + CSS.escape(dialog.id) + '"]');
        if (shown) shown.replaceWith(row(dialog)); // placed by a live refresh meanwhile
        else list.appendChild(row(dialog));
      });
      more.hidden = page >= answer.pagination.pages;
      status.textContent = list.children.length ? "" : Bank.t("noDialogs");
    } catch (error) {
      status.textContent = "";
      if (!Bank.handleAuthError(error)) Bank.say(errorBox, Bank.errorText(error));
    } finally {
      more.disabled = false;
    }
  }

  /* The first page again, each row put where it now belongs: events come in bursts (the
   * customer's message, the bot's answer), so one read follows a burst. */
  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async function () {
      try {
        var answer = await Bank.api.get("/api/dialogs?limit=" + PAGE + "&page=1");
        answer.data.forEach(place);
        status.textContent = list.children.length ? "" : Bank.t("noDialogs");
      } catch (error) {
        Bank.handleAuthError(error);
      }
    }, 200);
  }

  function listen(userId) {
    window.BankLive.open({
      url: "/api/stream?topics=" + encodeURIComponent("user:" + userId),
      onEvent: function (event) {
        if (event.event === "dialog") refresh();
        else if (event.event === "reset") { // a gap: read the list again from the start
          list.textContent = "";
          page = 0;
          load();
        }
      },
      onState: function (state, detail) {
        list.setAttribute("data-live", state);
        if (state === "unauthorized") return Bank.handleAuthError({ status: 401 });
        var note = state === "limited" ? (detail && detail.message) || Bank.t("liveLimited")
          : state === "failed" ? Bank.t("liveFailed") : "";
        Bank.say(liveNote, note);
      }
    });
  }

  more.addEventListener("click", load);
  // Back from a dialog through the browser's history: its unread count changed meanwhile.
  window.addEventListener("pageshow", function (event) { if (event.persisted) refresh(); });

  (async function start() {
    var user = Bank.session.user();
    if (!user) {
      try {
        user = (await Bank.api.get("/api/me")).data;
        Bank.session.setUser(user);
      } catch (error) {
        if (!Bank.handleAuthError(error)) Bank.say(errorBox, Bank.errorText(error));
        return;
      }
    }
    listen(user.id); // first, so a message written while the list loads still moves it
    load();
  })();
})();
