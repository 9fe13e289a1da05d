/* The comments under one channel post (the channel page opens them): the list, oldest first,
 * with "More comments", and the form to add one for a signed-in reader (signed out: a link to
 * sign in). What the API refuses (comments off, a customer the business blocked, writing too
 * fast) is said with the API's own message. Text goes in with textContent only.
 *
 *   var box = new BankComments(article, { businessId, postId, myId,
 *     onAdded(comment),      // one I wrote: the post's count goes up
 *     onSeen(commentId) });  // one read from the list: counted already
 *   box.toggle();  box.add(comment);  box.remove(commentId);
 */
(function () {
  "use strict";

  var Bank = window.Bank, el = window.BankPosts.el, PAGE = 20;

  function Comments(article, options) {
    this.article = article;
    this.options = options;
    this.url = "/api/businesses/" + encodeURIComponent(options.businessId) + "/channel/messages/" +
      encodeURIComponent(options.postId) + "/comments";
    this.page = 0;
    this.pages = 0;
    this.section = null;
    this.toggleButton = article.querySelector(".post__comments-toggle");
  }

  Comments.prototype.build = function () {
    var self = this, id = "comments-" + this.options.postId;
    var section = el("section", "comments");
    section.id = id;
    section.setAttribute("aria-label", Bank.t("commentsHeading"));
    this.list = el("ol", "comments__list");
    this.empty = el("p", "muted comments__empty", Bank.t("noComments"));
    this.empty.hidden = true;
    this.more = el("button", "link-button", Bank.t("moreComments"));
    this.more.type = "button";
    this.more.hidden = true;
    this.more.addEventListener("click", function () { self.load(); });
    this.error = el("p", "alert");
    this.error.setAttribute("role", "alert");
    this.error.hidden = true;
    section.append(this.list, this.empty, this.more, this.error);
    if (Bank.session.signedIn()) section.appendChild(this.form());
    else {
      var link = el("a", "comments__sign-in", Bank.t("signInToComment"));
      link.href = Bank.loginUrl(location.pathname + "#post-" + this.options.postId);
      section.appendChild(link);
    }
    this.article.appendChild(section);
    this.section = section;
  };

  Comments.prototype.form = function () {
    var self = this, id = "comment-text-" + this.options.postId;
    var form = el("form", "comments__form");
    form.noValidate = true;
    var label = el("label", "visually-hidden", Bank.t("writeComment"));
    label.htmlFor = id;
    var text = el("textarea");
    text.id = id;
    text.rows = 2;
    text.maxLength = 1000;
    text.placeholder = Bank.t("writeComment");
    var send = el("button", "btn btn--small", Bank.t("send"));
    send.type = "submit";
    form.append(label, text, send);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var value = text.value.trim();
      if (!value) return;
      send.disabled = true;
      Bank.say(self.error, "");
      try {
        var answer = await Bank.api.post(self.url, { text: value });
        text.value = "";
        self.options.onAdded(answer.data);
        self.add(answer.data, true);
      } catch (error) {
        if (!Bank.handleAuthError(error)) Bank.say(self.error, Bank.errorText(error));
      } finally {
        send.disabled = false;
        text.focus();
      }
    });
    return form;
  };

  Comments.prototype.toggle = function () {
    if (!this.section) {
      this.build();
      this.load();
    } else {
      this.section.hidden = !this.section.hidden;
    }
    this.toggleButton.setAttribute("aria-expanded", this.section.hidden ? "false" : "true");
    if (!this.section.hidden) {
      var field = this.section.querySelector("textarea");
      if (field) field.focus();
    }
  };

  Comments.prototype.load = async function () {
    this.more.disabled = true;
    try {
      var answer = await Bank.api.get(this.url + "?limit=" + PAGE + "&page=" + (this.page + 1));
      this.page = answer.pagination.page;
      this.pages = answer.pagination.pages;
      var self = this;
      answer.data.forEach(function (comment) {
        self.options.onSeen(comment.id); // in the post's count already
        self.add(comment, true);
      });
      this.more.hidden = this.page >= this.pages;
      this.empty.hidden = this.list.children.length > 0;
    } catch (error) {
      Bank.say(this.error, Bank.errorText(error));
    } finally {
      this.more.disabled = false;
    }
  };

  /* A comment, unless shown already; a live one only once the last page is loaded (the rest
   * come in order with "More comments"). */
  Comments.prototype.add = function (comment, loaded) {
    if (!this.section || this.list.querySelector('[data-comment-id="' + CSS.escape(comment.id) + '"]')) return;
    if (!loaded && this.page < this.pages) return;
    var item = el("li", "comment");
    item.setAttribute("data-comment-id", comment.id);
    var mine = comment.author && comment.author.id === this.options.myId;
    var who = mine ? Bank.t("you") : (comment.author && comment.author.name) || Bank.t("reader");
    var head = el("p", "comment__head");
    var time = el("time", "muted", window.BankPosts.when(comment.createdAt));
    time.dateTime = comment.createdAt || "";
    head.append(el("span", "comment__author", who), time);
    item.append(head, el("p", "comment__text", comment.text));
    this.list.appendChild(item);
    this.empty.hidden = true;
  };

  Comments.prototype.remove = function (commentId) {
    if (!this.section) return;
    var item = this.list.querySelector('[data-comment-id="' + CSS.escape(commentId) + '"]');
    if (item) item.remove();
    this.empty.hidden = this.list.children.length > 0;
  };

  window.BankComments = Comments;
})();
