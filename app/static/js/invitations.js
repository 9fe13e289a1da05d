/* "Team invitations": the invitations to my phone from GET /api/me/invitations, each with
 * Accept and Decline (Decline asks for confirmation in place). Accepted, the card says so and
 * links to the business's cabinet. */
(function () {
  "use strict";

  var Bank = window.Bank;
  if (!Bank.requireSignIn()) return;

  var list = document.getElementById("invitations-list");
  var status = document.getElementById("invitations-status");
  var errorBox = document.getElementById("invitations-error");
  var more = document.getElementById("invitations-more");
  var page = 0;
  var total = 0;

  var el = Bank.el;

  function button(className, text) {
    var node = el("button", "btn btn--small " + className, text);
    node.type = "button";
    return node;
  }

  function day(iso) {
    try {
      return new Intl.DateTimeFormat(Bank.lang, { day: "numeric", month: "long" }).format(new Date(iso));
    } catch (e) { return iso.slice(0, 10); }
  }

  function logo(business) {
    if (business.logoUrl) {
      var img = el("img", "logo logo--small");
      img.src = business.logoUrl;
      img.alt = "";
      img.width = 48;
      img.height = 48;
      return img;
    }
    var sum = 0;
    for (var i = 0; i < business.id.length; i++) sum += business.id.charCodeAt(i);
    var letter = (business.name.match(/[\p{L}\p{N}]/u) || ["•"])[0].toUpperCase();
    var badge = el("span", "logo logo--small badge badge--c" + (sum % 8), letter);
    badge.setAttribute("aria-hidden", "true");
    return badge;
  }

  function card(row) {
    var business = row.business;
    var li = el("li", "card biz");
    li.setAttribute("data-invitation", row.id);
    var link = el("a", "biz__link");
    link.href = "/b/" + encodeURIComponent(business.slug);
    link.appendChild(logo(business));
    var body = el("span", "biz__body");
    body.appendChild(el("span", "biz__name", business.name));
    body.appendChild(el("span", "biz__note", Bank.t("invitedAs", { role: Bank.t(row.role) })));
    body.appendChild(el("span", "biz__meta", Bank.t("openUntil", { date: day(row.expiresAt) })));
    link.appendChild(body);
    li.appendChild(link);
    var side = el("div", "biz__side");
    var accept = button("", Bank.t("accept"));
    var decline = button("btn--outline", Bank.t("decline"));
    accept.setAttribute("data-action", "accept");
    decline.setAttribute("data-action", "decline");
    side.append(accept, decline);
    li.appendChild(side);
    accept.addEventListener("click", function () { answer(li, side, row, "accept", [accept, decline]); });
    decline.addEventListener("click", function () { confirmDecline(li, side, row, [accept, decline]); });
    return li;
  }

  function confirmDecline(li, side, row, buttons) {
    buttons.forEach(function (b) { b.hidden = true; });
    var box = el("div", "confirm");
    box.setAttribute("role", "group");
    var question = el("p", "confirm__question", Bank.t("confirmDecline", { name: row.business.name }));
    question.id = "confirm-" + row.id;
    box.setAttribute("aria-labelledby", question.id);
    var yes = button("btn--danger", Bank.t("confirmDeclineYes"));
    var no = button("btn--outline", Bank.t("cancel"));
    yes.setAttribute("data-action", "confirm-decline");
    box.append(question, yes, no);
    side.appendChild(box);
    no.focus();
    no.addEventListener("click", function () {
      box.remove();
      buttons.forEach(function (b) { b.hidden = false; });
      buttons[1].focus();
    });
    yes.addEventListener("click", function () { answer(li, side, row, "decline", [yes, no]); });
  }

  function cabinetLink(businessId) {
    var link = el("a", "btn btn--small btn--outline", Bank.t("openCabinet"));
    link.href = "/cabinet/b/" + encodeURIComponent(businessId) + "/";
    link.addEventListener("click", async function (event) {
      // One sign-in for the site and the cabinet (site.js), where that is available.
      if (!Bank.openCabinet) return;
      event.preventDefault();
      await Bank.openCabinet();
      location.assign(link.href);
    });
    return link;
  }

  /* POST accept or decline; the card then says what happened. */
  async function answer(li, side, row, action, buttons) {
    buttons.forEach(function (b) { b.disabled = true; });
    Bank.say(errorBox, "");
    try {
      await Bank.api.post("/api/me/invitations/" + encodeURIComponent(row.id) + "/" + action);
    } catch (error) {
      buttons.forEach(function (b) { b.disabled = false; });
      if (Bank.handleAuthError(error)) return;
      Bank.say(errorBox, Bank.errorText(error));
      if (error.status === 404 || error.status === 409) {  // withdrawn, expired, answered
        li.remove();
        total -= 1;
        if (total <= 0) Bank.say(status, Bank.t("noInvitations"));
      }
      return;
    }
    side.textContent = "";
    li.setAttribute("data-answered", action);
    var note = el("p", "confirm__question", Bank.t(action === "accept" ? "accepted" : "declined",
                                                    { name: row.business.name }));
    note.setAttribute("role", "status");
    side.appendChild(note);
    if (action === "accept") {
      localStorage.removeItem("bank.team"); // on a team now: the header's Cabinet link shows
      Bank.refreshNav();
      side.appendChild(cabinetLink(row.business.id));
    }
  }

  async function load() {
    more.disabled = true;
    try {
      var answer = await Bank.api.get("/api/me/invitations?page=" + (page + 1));
      page = answer.pagination.page;
      total = answer.pagination.total;
      answer.data.forEach(function (row) { list.appendChild(card(row)); });
      status.textContent = total ? "" : Bank.t("noInvitations");
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
