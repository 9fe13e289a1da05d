/* The landing page: the Subscribe toggle, and "Write to us" opening the chat widget. */
(function () {
  "use strict";

  var Bank = window.Bank;
  var button = document.getElementById("subscribe");
  var count = document.getElementById("subscriber-count");
  var status = document.getElementById("landing-status");
  var write = document.getElementById("write-to-us");

  function showCount(value) {
    count.setAttribute("data-count", value);
    count.textContent = Bank.plural("subscribers", value);
  }

  button.addEventListener("click", async function () {
    Bank.say(status, "");
    var value = await Bank.toggleSubscription(button, function (text) { Bank.say(status, text); });
    if (value !== null && value !== undefined) showCount(value);
  });

  // The chat is the widget's (loaded by /widget.js, async): anyone may write, as a guest or
  // signed in. Until the loader has run, the call waits in its queue.
  write.addEventListener("click", function () {
    var widget = window.BankWidget || (window.BankWidget = { q: [] });
    if (widget.open) widget.open();
    else widget.q.push(["open"]);
  });

  // Once the launcher is drawn, the page keeps room below its footer for it (its height, its
  // distance from the bottom and a margin; site.css adds the phone's safe-area inset), so
  // scrolled to the end no text or link lies under it. No widget, no room.
  var ROOM_MARGIN = 12;
  function makeRoom(drawn) {
    var room = drawn ? drawn.bottomOffset + drawn.launcherHeight + ROOM_MARGIN : 0;
    document.body.style.setProperty("--widget-room", room + "px");
    document.body.classList.add("has-widget");
  }
  var loader = window.BankWidget || (window.BankWidget = { q: [] });
  if (loader.on) loader.on("ready", makeRoom);
  else loader.q.push(["on", "ready", makeRoom]);

  // Signed in: learn whether this visitor is subscribed already.
  if (Bank.session.signedIn()) {
    var id = button.getAttribute("data-business-id");
    Bank.api.get("/api/businesses/" + encodeURIComponent(id)).then(function (answer) {
      Bank.setSubscribed(button, !!answer.data.isSubscribed);
      showCount(answer.data.subscriberCount);
    }).catch(function (error) {
      if (error.status === 401) Bank.refreshNav(); // the session ended: show "Sign in" again
    });
  }
})();
