/* The chat's side of the postMessage protocol with the host page's loader (widget.js; its
 * comment lists the messages).
 *
 * The host's origin comes from ?origin= and must match location.ancestorOrigins[0] where the
 * browser has it. We accept messages only from window.parent at that origin, and post only
 * to that exact origin, never "*". Since frame-ancestors limits who may frame us and
 * postMessage delivers only to the named origin, a page that lied in ?origin= hears nothing.
 * What goes out is unread counts and "close"; never a word of the conversation. */
(function () {
  "use strict";

  function identity(who) {
    return who && typeof who.id === "string" && typeof who.signature === "string"
      ? { id: who.id, signature: who.signature } : null;
  }

  /* handlers: {init(identity, open), open(open), identify(identity)}. Returns
   * {framed: whether a host is there to talk to, tell(message)}. */
  window.ChatHost = function (handlers) {
    var host = new URLSearchParams(location.search).get("origin");
    var ancestors = location.ancestorOrigins;
    if (window.parent === window || !/^https?:\/\/[^/]+$/.test(host || "") ||
        (ancestors && ancestors.length && ancestors[0] !== "null" && ancestors[0] !== host)) {
      host = null; // not framed, or ?origin= is not our parent: talk to nobody
    }
    window.addEventListener("message", function (event) {
      if (!host || event.source !== window.parent || event.origin !== host) return;
      var data = event.data || {};
      if (data.bank !== 1) return;
      if (data.type === "init") handlers.init(identity(data.identity), !!data.open);
      else if (data.type === "open") handlers.open(!!data.open);
      else if (data.type === "identify") handlers.identify(identity(data.identity));
    });
    return {
      framed: !!host,
      tell: function (message) {
        message.bank = 1;
        if (host) window.parent.postMessage(message, host);
      }
    };
  };
})();
