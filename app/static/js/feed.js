/* My feed (/my/feed): the posts of every channel I subscribe to, newest first, from
 * GET /api/me/feed, "Older posts" with its cursor. Each post names its business and links to
 * its channel, where one reacts and comments. Needs site.js and posts.js. */
(function () {
  "use strict";

  var Bank = window.Bank;
  if (!Bank.requireSignIn()) return;

  var list = document.getElementById("feed");
  var status = document.getElementById("feed-status");
  var errorBox = document.getElementById("feed-error");
  var more = document.getElementById("feed-more");
  var cursor = null;
  var PAGE = 10;

  function show(post) {
    var article = window.BankPosts.card(post, { business: post.business });
    var link = window.BankPosts.el("a", "post__channel-link", Bank.t("openChannel", { name: post.business.name }));
    link.href = "/b/" + encodeURIComponent(post.business.slug) + "/channel";
    article.querySelector(".post__actions").appendChild(link);
    list.appendChild(article);
  }

  async function load() {
    more.disabled = true;
    try {
      var answer = await Bank.api.get("/api/me/feed?limit=" + PAGE + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
      answer.data.items.forEach(show);
      cursor = answer.data.nextCursor;
      more.hidden = !cursor;
      status.textContent = list.children.length ? "" : Bank.t("noFeed");
    } catch (error) {
      status.textContent = "";
      if (!Bank.handleAuthError(error)) Bank.say(errorBox, Bank.errorText(error));
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener("click", load);
  load();
})();
