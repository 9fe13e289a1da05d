/* The cabinet's half of one sign-in for the site and the cabinet: signed in here, the site is
 * signed in as the same person (a token pair of this sign-in, asked of /cabinet/session/tokens
 * by this page's script alone), and signing out here forgets the site's tokens at once (the
 * server has revoked them already). */
(function () {
  "use strict";

  var Bank = window.Bank;
  var person = document.getElementById("cabinet-person");
  if (!Bank || !person) return;
  // Being on a team changes here (a business created, a team left): the site's header asks
  // again whether to show its "Cabinet" link, instead of trusting an answer up to an hour old.
  localStorage.removeItem("bank.team");
  var id = person.getAttribute("data-user-id");
  var mine = Bank.session.user();
  if (!(Bank.session.signedIn() && mine && mine.id === id)) {
    fetch("/cabinet/session/tokens", { method: "POST", credentials: "same-origin",
                                       headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        Bank.session.save(body.data);
        document.dispatchEvent(new CustomEvent("bank:signed-in"));
      })
      .catch(function () { /* the site signs in by itself then */ });
  }
  person.addEventListener("submit", function () { Bank.session.clear(); });
})();
