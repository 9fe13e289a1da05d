/* Phone sign-in inside the chat (widget/static/chat.js uses it): the code by SMS, then the
 * account's tokens (kept by api.js). A guest's conversation then joins the account
 * (POST /api/widget/<slug>/claim), so it goes on in the same dialog, and the answers can
 * reach the person as notifications. */
(function () {
  "use strict";

  var Bank = window.Bank, $ = function (id) { return document.getElementById(id); };

  /* deps: {api, store, words, slug, say(text), fill(template, values),
   *        signedIn(dialogId): what the chat does once the person is signed in}
   * Returns signIn(why, only): show the form; `only`: no way around it (the mandatory mode). */
  window.ChatSignIn = function (deps) {
    var phone = null, words = deps.words;

    function show(why, only) {
      $("signin-why").textContent = why;
      $("signin").hidden = false;
      $("signin-cancel").hidden = !!only;
      $("compose").hidden = !!only;
      $("foot").hidden = true;
      $("phone").focus();
    }
    function hide(message) {
      $("signin").hidden = true;
      $("compose").hidden = false;
      $("foot").hidden = deps.api.signedIn();
      deps.say(message || "");
    }
    function complain(error) { deps.say(error.message); }

    $("offer-signin").addEventListener("click", function () { show(words.signInOffer); });
    $("signin-cancel").addEventListener("click", function () { hide(); });

    $("phone-form").addEventListener("submit", async function (event) {
      event.preventDefault();
      try {
        var sent = await Bank.api.post("/api/auth/send-code", { phone: $("phone").value },
                                       { auth: false });
        phone = sent.data.phone;
        $("code-sent").textContent = deps.fill(words.codeSent, { phone: phone });
        $("code-form").hidden = false;
        $("code").focus();
        deps.say("");
      } catch (error) { complain(error); }
    });

    $("code-form").addEventListener("submit", async function (event) {
      event.preventDefault();
      try {
        var verified = await Bank.api.post("/api/auth/verify-code",
                                           { phone: phone, code: $("code").value },
                                           { auth: false });
        Bank.session.save(verified.data);
        var guest = deps.store.load("guest"), dialogId = null;
        if (guest) { // the guest's conversation joins the account
          var claimed = await Bank.api.post(
            "/api/widget/" + encodeURIComponent(deps.slug) + "/claim",
            { guestId: guest.id, guestSecret: guest.secret });
          dialogId = claimed.data.dialogId;
          deps.store.keep("guest", null);
        }
        hide(words.signedIn);
        await deps.signedIn(dialogId);
      } catch (error) { complain(error); }
    });

    return show;
  };
})();
