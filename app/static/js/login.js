/* Sign-in: the phone, then the code from the SMS; then back to `next`. The server checked
 * `next` (same-site paths only) before putting it in data-next. */
(function () {
  "use strict";

  var Bank = window.Bank;
  var root = document.getElementById("login");
  var next = root.getAttribute("data-next") || "/";
  var errorBox = document.getElementById("login-error");
  var phoneForm = document.getElementById("phone-form");
  var codeForm = document.getElementById("code-form");
  var phoneInput = document.getElementById("phone");
  var codeInput = document.getElementById("code");
  var sendButton = document.getElementById("send-code");
  var verifyButton = document.getElementById("verify-code");
  var resendButton = document.getElementById("resend");
  var timerText = document.getElementById("resend-timer");
  var phone = null; // E.164, as the API normalised it
  var countdown = null;

  if (Bank.session.signedIn()) {
    location.replace(next);
    return;
  }

  function showError(error, input) {
    Bank.say(errorBox, error ? Bank.errorText(error) : "");
    [phoneInput, codeInput].forEach(function (el) { el.removeAttribute("aria-invalid"); });
    if (error && input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }

  function busy(button, label) {
    button.disabled = !!label;
    if (label) {
      button.setAttribute("data-label", button.textContent);
      button.textContent = label;
    } else if (button.hasAttribute("data-label")) {
      button.textContent = button.getAttribute("data-label");
    }
  }

  function startCountdown(seconds) {
    clearInterval(countdown);
    var endsAt = Date.now() + Math.max(0, seconds) * 1000;
    function tick() {
      var left = Math.ceil((endsAt - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(countdown);
        timerText.textContent = "";
        resendButton.disabled = false;
        return;
      }
      var time = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      timerText.textContent = Bank.t("resendIn", { time: time });
      resendButton.disabled = true;
    }
    tick();
    countdown = setInterval(tick, 1000);
  }

  function showCodeStep(sentTo, resendIn) {
    phone = sentTo;
    document.getElementById("code-sent").textContent = Bank.t("codeSent", { phone: sentTo });
    phoneForm.hidden = true;
    codeForm.hidden = false;
    startCountdown(resendIn);
    codeInput.focus();
  }

  async function sendCode(number, button) {
    showError(null);
    busy(button, Bank.t("sending"));
    try {
      var answer = await Bank.api.post("/api/auth/send-code", { phone: number }, { auth: false });
      showCodeStep(answer.data.phone, answer.data.resendIn);
    } catch (error) {
      if (error.code === "resend_too_soon") {
        // The code sent a moment ago (from the cabinet, say) still works: ask for it.
        if (!phone) showCodeStep(number, 0);
        startCountdown(error.retryAfter || (error.details || {}).retryAfter || 60);
        showError(error, null);
      } else {
        showError(error, codeForm.hidden ? phoneInput : null);
        if (error.retryAfter && !codeForm.hidden) startCountdown(error.retryAfter);
      }
    } finally {
      busy(button, null);
      resendButton.disabled = !!timerText.textContent; // still counting down
    }
  }

  phoneForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var number = phoneInput.value.trim();
    if (!number) {
      phoneInput.setAttribute("aria-invalid", "true");
      phoneInput.focus();
      return;
    }
    sendCode(number, sendButton);
  });

  resendButton.addEventListener("click", function () {
    if (phone) sendCode(phone, resendButton);
  });

  document.getElementById("change-phone").addEventListener("click", function () {
    clearInterval(countdown);
    showError(null);
    codeForm.hidden = true;
    phoneForm.hidden = false;
    codeInput.value = "";
    phoneInput.focus();
  });

  codeForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    var code = codeInput.value.replace(/\D/g, "");
    if (code.length !== 6) {
      codeInput.setAttribute("aria-invalid", "true");
      codeInput.focus();
      return;
    }
    showError(null);
    busy(verifyButton, Bank.t("checking"));
    try {
      var answer = await Bank.api.post("/api/auth/verify-code", { phone: phone, code: code }, { auth: false });
      Bank.session.save(answer.data);
      await Bank.openCabinet(); // one sign-in: the cabinet too
      location.replace(next);
    } catch (error) {
      showError(error, codeInput);
      var left = (error.details || {}).attemptsLeft;
      if (typeof left === "number") Bank.say(errorBox, Bank.errorText(error) + " " + Bank.plural("attemptsLeft", left));
      busy(verifyButton, null);
    }
  });
})();
