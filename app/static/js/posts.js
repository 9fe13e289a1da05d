/* How a channel post looks (the channel page and my feed draw it alike): its text, image and
 * time, its reactions (buttons where the reader may react, counts otherwise) and its
 * comments' button. Every text goes in with textContent, never as HTML. Needs site.js. */
(function () {
  "use strict";

  var Bank = window.Bank;

  var el = Bank.el;

  function when(iso) {
    var at = new Date(iso);
    if (!iso || isNaN(at)) return "";
    return at.toLocaleString(Bank.lang, { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
  }

  /* The business's letter badge, coloured as the server's (app/web: badge_colour). */
  function badge(business, size) {
    if (business.logoUrl) {
      var img = el("img", "logo logo--" + size);
      img.src = business.logoUrl;
      img.alt = "";
      img.width = img.height = size === "small" ? 48 : 32;
      img.loading = "lazy";
      return img;
    }
    var sum = 0;
    for (var i = 0; i < business.id.length; i++) sum += business.id.charCodeAt(i);
    var letter = (business.name.match(/[\p{L}\p{N}]/u) || ["•"])[0].toUpperCase();
    var span = el("span", "logo logo--" + size + " badge badge--c" + (sum % 8), letter);
    span.setAttribute("aria-hidden", "true");
    return span;
  }

  /* options: business ({id, name, slug, logoUrl}: a header linking to its page, for the
   * feed), reactions (the emoji the reader may press; none: counts only), comments (true:
   * a button that opens them). */
  function card(post, options) {
    options = options || {};
    var article = el("article", "card post");
    article.id = "post-" + post.id;
    article.setAttribute("data-post-id", post.id);
    var heading = "post-title-" + post.id;
    if (options.business) {
      var head = el("header", "post__head");
      var link = el("a", "post__business");
      link.href = "/b/" + encodeURIComponent(options.business.slug);
      link.id = heading;
      link.append(badge(options.business, "tiny"), el("span", null, options.business.name));
      head.appendChild(link);
      article.appendChild(head);
      article.setAttribute("aria-labelledby", heading);
    }
    if (post.imageUrl) {
      var img = el("img", "post__image");
      img.src = post.imageUrl;
      img.alt = "";
      img.loading = "lazy";
      article.appendChild(img);
    }
    article.appendChild(el("p", "post__text", post.text));
    var meta = el("p", "post__meta muted");
    var time = el("time", null, when(post.publishedAt || post.createdAt));
    time.dateTime = post.publishedAt || post.createdAt || "";
    meta.appendChild(time);
    if (post.editedAt) meta.appendChild(el("span", "post__edited", " · " + Bank.t("edited")));
    article.appendChild(meta);
    var bar = el("div", "post__actions");
    var reactions = el("div", "reactions");
    reactions.setAttribute("role", "group");
    reactions.setAttribute("aria-label", Bank.t("reactions"));
    bar.appendChild(reactions);
    if (options.comments) {
      var toggle = el("button", "btn btn--small btn--outline post__comments-toggle");
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-controls", "comments-" + post.id);
      bar.appendChild(toggle);
    } else {
      bar.appendChild(el("span", "post__comment-count muted"));
    }
    article.appendChild(bar);
    var error = el("p", "alert post__error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    article.appendChild(error);
    setReactions(article, post.reactionCounts, post.myReactions, options.reactions);
    setCommentCount(article, post.commentCount || 0);
    return article;
  }

  /* Counts by emoji; `mine`: the reader's own (null: unknown, e.g. from the live stream, which
   * keeps what is shown); `offered`: the emoji to show as buttons. */
  function setReactions(article, counts, mine, offered) {
    var box = article.querySelector(".reactions");
    counts = counts || {};
    if (offered === undefined) offered = article._offered;
    article._offered = offered;
    if (mine === null || mine === undefined) {
      mine = Array.prototype.map.call(box.querySelectorAll('[aria-pressed="true"]'),
                                      function (b) { return b.getAttribute("data-emoji"); });
    }
    box.textContent = "";
    var emoji = offered && offered.length ? offered : Object.keys(counts);
    emoji.forEach(function (symbol) {
      var count = counts[symbol] || 0;
      if (!offered && !count) return;
      var item = el(offered ? "button" : "span", "reaction");
      item.setAttribute("data-emoji", symbol);
      item.append(el("span", "reaction__emoji", symbol), el("span", "reaction__count", count ? Bank.formatNumber(count) : ""));
      if (offered) {
        item.type = "button";
        item.setAttribute("aria-pressed", mine.indexOf(symbol) >= 0 ? "true" : "false");
      }
      box.appendChild(item);
    });
    box.hidden = !box.children.length;
  }

  function setCommentCount(article, count) {
    article.setAttribute("data-comments", count);
    var label = count ? Bank.plural("comments", count) : "";
    var toggle = article.querySelector(".post__comments-toggle");
    if (toggle) toggle.textContent = label || Bank.t("comment");
    var plain = article.querySelector(".post__comment-count");
    if (plain) plain.textContent = label;
  }

  window.BankPosts = { card: card, el: el, when: when, badge: badge,
                       setReactions: setReactions, setCommentCount: setCommentCount };
})();
