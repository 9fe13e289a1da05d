/* "My businesses" and "My subscriptions": lists from the API with "Show more"; on the
 * subscriptions page, Unsubscribe asks for confirmation in place. */
(function () {
  "use strict";

  var Bank = window.Bank;
  if (!Bank.requireSignIn()) return;

  var list = document.getElementById("my-list");
  var kind = list.getAttribute("data-kind");
  var status = document.getElementById("my-status");
  var errorBox = document.getElementById("my-error");
  var more = document.getElementById("my-more");
  var page = 0;
  var total = 0;

  var el = Bank.el;

  function businessCard(business, note) {
    var li = el("li", "card biz");
    var link = el("a", "biz__link");
    link.href = "/b/" + encodeURIComponent(business.slug);
    var sum = 0;
    for (var i = 0; i < business.id.length; i++) sum += business.id.charCodeAt(i);
    if (business.logoUrl) {
      var img = el("img", "logo logo--small");
      img.src = business.logoUrl;
      img.alt = "";
      img.width = 48;
      img.height = 48;
      link.appendChild(img);
    } else {
      var letter = (business.name.match(/[\p{L}\p{N}]/u) || ["•"])[0].toUpperCase();
      var badge = el("span", "logo logo--small badge badge--c" + (sum % 8), letter);
      badge.setAttribute("aria-hidden", "true");
      link.appendChild(badge);
    }
    var body = el("span", "biz__body");
    body.appendChild(el("span", "biz__name", business.name));
    body.appendChild(el("span", "biz__meta", (business.categories || []).map(function (c) { return c.name; }).join(", ")));
    if (note) body.appendChild(el("span", "biz__note", note));
    link.appendChild(body);
    li.appendChild(link);
    var side = el("div", "biz__side");
    side.appendChild(el("span", "biz__subs", Bank.plural("subscribers", business.subscriberCount)));
    li.appendChild(side);
    return li;
  }

  function ownBusiness(row) {
    var notes = [Bank.t(row.role)];
    if (row.blocked) notes.push(Bank.t("blocked"));
    else if (!row.business.isPublic) notes.push(Bank.t("hidden"));
    return businessCard(row.business, notes.join(" · "));
  }

  function subscription(row) {
    var li = businessCard(row.business);
    var side = li.querySelector(".biz__side");
    var button = el("button", "btn btn--small btn--outline", Bank.t("unsubscribe"));
    button.type = "button";
    side.appendChild(button);
    button.addEventListener("click", function () { confirmUnsubscribe(li, side, button, row.business); });
    return li;
  }

  function confirmUnsubscribe(li, side, button, business) {
    button.hidden = true;
    var box = el("div", "confirm");
    box.setAttribute("role", "group");
    var question = el("p", "confirm__question", Bank.t("confirmUnsubscribe", { name: business.name }));
    question.id = "confirm-" + business.id;
    box.setAttribute("aria-labelledby", question.id);
    var yes = el("button", "btn btn--small btn--danger", Bank.t("confirmYes"));
    var no = el("button", "btn btn--small btn--outline", Bank.t("cancel"));
    yes.type = no.type = "button";
    box.append(question, yes, no);
    side.appendChild(box);
    no.focus();
    no.addEventListener("click", function () {
      box.remove();
      button.hidden = false;
      button.focus();
    });
    yes.addEventListener("click", async function () {
      yes.disabled = no.disabled = true;
      try {
        await Bank.api.del("/api/businesses/" + encodeURIComponent(business.id) + "/subscribe");
        li.remove();
        total -= 1;
        Bank.say(status, Bank.t("unsubscribed", { name: business.name }));
        if (!list.children.length && total <= 0) Bank.say(status, Bank.t("noSubscriptions"));
      } catch (error) {
        if (!Bank.handleAuthError(error)) Bank.say(errorBox, Bank.errorText(error));
        yes.disabled = no.disabled = false;
      }
    });
  }

  async function load() {
    more.disabled = true;
    try {
      var path = kind === "businesses" ? "/api/me/businesses" : "/api/me/subscriptions";
      var answer = await Bank.api.get(path + "?page=" + (page + 1));
      page = answer.pagination.page;
      total = answer.pagination.total;
      answer.data.forEach(function (row) {
        list.appendChild(kind === "businesses" ? ownBusiness(row) : subscription(row));
      });
      status.textContent = total ? "" : Bank.t(kind === "businesses" ? "noBusinesses" : "noSubscriptions");
      more.hidden = page >= answer.pagination.pages;
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
