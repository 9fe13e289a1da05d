/* A business's channel (/b/<slug>/channel): every post, newest first, "Older posts" with the
 * API's cursor; reactions and comments where the channel's settings allow them (signed out,
 * pressing one goes to the sign-in page first). A signed-in reader's page follows the channel
 * live (new, changed and deleted posts, counts). Needs site.js, live.js, posts.js, comments.js. */
(function () {
  "use strict";

  var Bank = window.Bank, Posts = window.BankPosts, enc = encodeURIComponent;
  var list = document.getElementById("posts");
  var businessId = list.getAttribute("data-business-id");
  var status = document.getElementById("channel-status");
  var errorBox = document.getElementById("channel-error");
  var liveNote = document.getElementById("live-note");
  var more = document.getElementById("posts-more");
  var subscribe = document.getElementById("subscribe");
  var base = "/api/businesses/" + enc(businessId) + "/channel";
  var PAGE = 10;

  var channel = null, cursor = null, boxes = {}, counted = {};
  var me = Bank.session.user();

  function offered() { return channel.settings.allowReactions ? channel.reactions : null; }

  function show(post, atTop) {
    if (list.querySelector('[data-post-id="' + CSS.escape(post.id) + '"]')) return;
    var article = Posts.card(post, { reactions: offered(), comments: channel.settings.allowComments });
    if (atTop) list.insertBefore(article, list.firstChild);
    else list.appendChild(article);
    status.textContent = "";
  }

  function postOf(node) { return node.closest("[data-post-id]"); }

  function bump(article, commentId) {
    if (counted[commentId]) return;
    counted[commentId] = true;
    Posts.setCommentCount(article, Number(article.getAttribute("data-comments")) + 1);
  }

  function comments(article) {
    var id = article.getAttribute("data-post-id");
    if (!boxes[id]) {
      boxes[id] = new window.BankComments(article, {
        businessId: businessId, postId: id, myId: me && me.id,
        onAdded: function (comment) { bump(article, comment.id); },
        onSeen: function (commentId) { if (!(commentId in counted)) counted[commentId] = true; }
      });
    }
    return boxes[id];
  }

  async function react(article, button) {
    if (!Bank.session.signedIn()) return location.assign(Bank.loginUrl());
    var error = article.querySelector(".post__error");
    var pressed = button.getAttribute("aria-pressed") === "true";
    button.disabled = true;
    Bank.say(error, "");
    try {
      var answer = await Bank.api.post(base + "/messages/" + enc(article.getAttribute("data-post-id")) + "/reactions",
                                       { emoji: button.getAttribute("data-emoji"), action: pressed ? "unset" : "set" });
      Posts.setReactions(article, answer.data.reactionCounts, answer.data.myReactions);
      var again = article.querySelector('[data-emoji="' + CSS.escape(button.getAttribute("data-emoji")) + '"]');
      if (again) again.focus(); // the buttons were redrawn: keep the keyboard where it was
    } catch (e) {
      if (!Bank.handleAuthError(e)) Bank.say(error, Bank.errorText(e));
      button.disabled = false;
    }
  }

  list.addEventListener("click", function (event) {
    var article = postOf(event.target);
    if (!article) return;
    var reaction = event.target.closest("button.reaction");
    if (reaction) return react(article, reaction);
    if (event.target.closest(".post__comments-toggle")) comments(article).toggle();
  });

  async function load() {
    more.disabled = true;
    try {
      var answer = await Bank.api.get(base + "/messages?limit=" + PAGE + (cursor ? "&cursor=" + enc(cursor) : ""));
      answer.data.items.forEach(function (post) { show(post, false); });
      cursor = answer.data.nextCursor;
      more.hidden = !cursor;
      status.textContent = list.children.length ? "" : Bank.t("noPosts");
    } catch (error) {
      status.textContent = "";
      Bank.say(errorBox, Bank.errorText(error));
    } finally {
      more.disabled = false;
    }
  }

  /* --- live: only for a signed-in reader (a stream needs a token) ---------------------- */
  function onEvent(event) {
    var data = event.data || {};
    var article = data.id && list.querySelector('[data-post-id="' + CSS.escape(data.postId || data.id) + '"]');
    if (event.event === "post") {
      show(data, true);
    } else if (event.event === "post.updated" && article) {
      article.querySelector(".post__text").textContent = data.text;
    } else if (event.event === "post.deleted" && article) {
      article.remove();
    } else if (event.event === "post.reactions" && article) {
      Posts.setReactions(article, data.reactionCounts, null);
    } else if (event.event === "comment" && article) {
      bump(article, data.id);
      comments(article).add(data, false);
    } else if (event.event === "comment.deleted" && article) {
      if (counted[data.id] !== false) {
        counted[data.id] = false;
        Posts.setCommentCount(article, Math.max(0, Number(article.getAttribute("data-comments")) - 1));
      }
      comments(article).remove(data.id);
    } else if (event.event === "reset") { // a gap the stream could not fill: read it again
      list.textContent = "";
      cursor = null;
      load();
    }
  }

  function listen() {
    window.BankLive.open({
      url: "/api/stream?topics=" + enc("channel:" + businessId),
      onEvent: onEvent,
      onState: function (state, detail) {
        list.setAttribute("data-live", state);
        Bank.say(liveNote, state === "limited" ? (detail && detail.message) || Bank.t("liveLimited") : "");
      }
    });
  }

  /* --- start ----------------------------------------------------------------------------- */
  subscribe.addEventListener("click", async function () {
    Bank.say(errorBox, "");
    var count = await Bank.toggleSubscription(subscribe, function (text) { Bank.say(errorBox, text); });
    if (count !== null && count !== undefined) {
      document.getElementById("subscriber-count").textContent = Bank.plural("subscribers", count);
    }
  });
  more.addEventListener("click", load);

  (async function start() {
    try {
      channel = (await Bank.api.get(base)).data;
    } catch (error) {
      if (error.status === 401) { // the session is over (api.js forgot it): read as anyone
        Bank.refreshNav();
        channel = (await Bank.api.get(base).catch(function () { return {}; })).data;
      }
      if (!channel) {
        status.textContent = "";
        return Bank.say(errorBox, Bank.errorText(error));
      }
    }
    Bank.setSubscribed(subscribe, channel.subscribed);
    document.getElementById("subscriber-count").textContent = Bank.plural("subscribers", channel.subscriberCount);
    if (Bank.session.signedIn()) listen(); // before the first page: what follows it is not missed
    load();
  })();
})();
