/* My profile: filled from GET /api/me; edit the name, change the photo, sign out. */
(function () {
  "use strict";

  var Bank = window.Bank;
  if (!Bank.requireSignIn()) return;

  var box = document.getElementById("profile");
  var loading = document.getElementById("profile-loading");
  var errorBox = document.getElementById("profile-error");
  var status = document.getElementById("profile-status");
  var nameInput = document.getElementById("name");
  var me = null;

  function formatDate(iso) {
    if (!iso) return "";
    try {
      return new Intl.DateTimeFormat(Bank.lang, { dateStyle: "long" }).format(new Date(iso));
    } catch (e) { return iso.slice(0, 10); }
  }

  function show(user) {
    me = user;
    document.getElementById("profile-name").textContent = user.name || Bank.t("noName");
    document.getElementById("profile-phone").textContent = user.phone;
    document.getElementById("profile-id").textContent = user.id;
    document.getElementById("profile-created").textContent = formatDate(user.createdAt);
    document.getElementById("profile-avatar").src = user.avatarUrl;
    if (user.counts) {
      document.getElementById("count-businesses").textContent =
        Bank.formatNumber(user.counts.businessesOwned + user.counts.businessesJoined);
      document.getElementById("count-subscriptions").textContent = Bank.formatNumber(user.counts.subscriptions);
      // An invitation waits for an answer: shown only while one does.
      document.getElementById("count-invitations").textContent = Bank.formatNumber(user.counts.invitations || 0);
      document.getElementById("invitations-stat").hidden = !user.counts.invitations;
    }
    if (document.activeElement !== nameInput) nameInput.value = user.name || "";
    Bank.session.setUser(user);
    Bank.refreshNav();
  }

  function fail(error) {
    if (!Bank.handleAuthError(error)) Bank.say(errorBox, Bank.errorText(error));
  }

  Bank.api.get("/api/me").then(function (answer) {
    show(answer.data);
    loading.hidden = true;
    box.hidden = false;
  }).catch(function (error) {
    loading.hidden = true;
    fail(error);
  });

  document.getElementById("name-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    Bank.say(errorBox, "");
    Bank.say(status, "");
    var button = event.target.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      var answer = await Bank.api.put("/api/users/" + encodeURIComponent(me.id), { name: nameInput.value });
      show(answer.data);
      Bank.say(status, Bank.t("saved"));
    } catch (error) {
      fail(error);
    } finally {
      button.disabled = false;
    }
  });

  document.getElementById("avatar-file").addEventListener("change", async function (event) {
    var file = event.target.files[0];
    if (!file) return;
    Bank.say(errorBox, "");
    Bank.say(status, Bank.t("uploading"));
    var form = new FormData();
    form.append("file", file);
    try {
      var answer = await Bank.api.upload("/api/users/" + encodeURIComponent(me.id) + "/avatar", form);
      document.getElementById("profile-avatar").src = answer.data.avatarUrl;
      Bank.session.setUser(Object.assign({}, me, { avatarUrl: answer.data.avatarUrl }));
      Bank.say(status, Bank.t("avatarSaved"));
    } catch (error) {
      Bank.say(status, "");
      fail(error);
    } finally {
      event.target.value = "";
    }
  });

  document.getElementById("logout").addEventListener("click", async function () {
    try {
      await Bank.api.post("/api/auth/logout", { refreshToken: Bank.session.refreshToken() });
    } catch (e) { /* signed out here whatever the server says */ }
    Bank.session.clear();
    location.assign("/");
  });
})();
