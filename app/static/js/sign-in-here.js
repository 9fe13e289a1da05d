/* The sign-in page of the cabinet and the back office: signed in on the site already, the
 * person continues with that sign-in (POST /cabinet/session with the site's token: no second
 * SMS); a new code that must wait counts its seconds down on the button. */
(function () {
  "use strict";

  var Bank = window.Bank;
  var box = document.getElementById("continue-as");
  var user = Bank.session.user();
  if (box && Bank.session.signedIn()) {
    var text = document.getElementById("continue-as-text");
    // No name yet: the phone when this browser knows it, else the sentence without a name
    // (never "signed in as .").
    var who = user && (user.name || user.phone);
    text.textContent = who ? text.getAttribute("data-template").replace("{name}", who)
                           : text.getAttribute("data-nameless");
    box.hidden = false;
    document.getElementById("continue").addEventListener("click", async function (event) {
      event.target.disabled = true;
      try {
        await Bank.api.post("/cabinet/session");
        var next = document.querySelector("input[name=next]");
        location.assign((next && next.value) || location.pathname.replace(/login\/?$/, ""));
      } catch (e) {
        Bank.session.clear(); // the site's sign-in has ended too: sign in here
        box.hidden = true;
      }
    });
  }

  var resend = document.getElementById("resend");
  if (resend && resend.hasAttribute("data-countdown")) {
    var endsAt = Date.now() + parseInt(resend.getAttribute("data-countdown"), 10) * 1000;
    var tick = function () {
      var left = Math.ceil((endsAt - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(timer);
        resend.disabled = false;
        resend.textContent = resend.getAttribute("data-label");
        return;
      }
      resend.disabled = true;
      resend.textContent = resend.getAttribute("data-template").replace("{seconds}", left);
    };
    var timer = setInterval(tick, 1000);
    tick();
  }
})();
