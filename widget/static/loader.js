/* The Bank chat widget's loader (served as /widget.js):
 *   <script src="https://bank.example/widget.js" data-business="my-shop" async></script>
 * Optional: data-user-id + data-user-signature (the business's server signs the id with
 * HMAC-SHA256), or BankWidget.identify({id, signature}) before the chat starts.
 *
 * It draws a launcher in a CLOSED shadow root (the host page's CSS cannot reach inside, and
 * ours never leaks out; the host element itself is pinned with inline !important styles) and
 * opens an iframe from our origin holding the chat. Its only global is window.BankWidget:
 * open(), close(), toggle(), on(event, fn) for "ready", "open", "close", "unread", identify().
 * "ready" carries {bottomOffset, launcherHeight} (pixels), so a page can keep that much room
 * free at its bottom (plus env(safe-area-inset-bottom)) for the launcher not to cover it.
 * Calls made before it loads may be queued: (window.BankWidget = {q: []}).q.push(["open"]).
 *
 * postMessage protocol, objects {bank: 1, type, …}:
 *   chat → loader: "hello" (the chat page started), "unread" {count}, "close" (its × button)
 *   loader → chat: "init" {open, identity} (the answer to hello), "open" {open},
 *                  "identify" {identity}
 * The loader takes messages only from its own iframe's window (event.source) at our origin
 * (event.origin) and posts only to that exact origin, never "*". Nothing of the conversation
 * crosses: the host page learns unread counts and open/close, no more.
 *
 * Where it sits: the launcher's bottom edge is the business's bottomOffset (20 px unless set)
 * above the screen's bottom plus the safe-area inset (a phone's home bar; non-zero on pages
 * with viewport-fit=cover), 20 px plus the side inset from the side. The open panel stands
 * above the launcher and never wider or taller than the screen leaves it; on a phone it fills
 * the screen inside the insets, down to the same bottomOffset. Nothing of ours is wider than
 * the viewport, so the host page never scrolls sideways because of it. */
(function () {
  "use strict";
  var W = window.BankWidget;
  if (W && W.open) return; // the snippet is on the page twice
  var script = document.currentScript || document.querySelector("script[data-business]");
  var slug = script && script.getAttribute("data-business");
  if (!slug) return;
  var base = script.src.replace(/\/widget\.js([?#].*)?$/, ""); // keeps a path prefix
  var origin = new URL(script.src).origin;
  var queued = (W && W.q) || [];
  var handlers = {}, identity = null, open = false, drawn = false, helloed = false;
  var wanted = false, host, wrap, launcher, badge, frame, label, readyDetail;
  var OFFSET_DEFAULT = 20, OFFSET_MAX = 400;

  function who(person) {
    return person && person.id && person.signature
      ? { id: String(person.id), signature: String(person.signature) } : null;
  }
  identity = who({ id: script.getAttribute("data-user-id"),
                   signature: script.getAttribute("data-user-signature") });

  function emit(name, detail) {
    (handlers[name] || []).forEach(function (fn) {
      try { fn(detail); } catch (e) { setTimeout(function () { throw e; }); } // not ours to stop
    });
  }

  function post(message) {
    message.bank = 1;
    if (helloed) frame.contentWindow.postMessage(message, origin);
    // Before "hello" nothing is sent: "init" then carries the current state.
  }

  /* The chat's iframe. Sandboxed to what the chat needs:
   *  allow-scripts      the chat is a script;
   *  allow-same-origin  it keeps our origin, so it can use its own storage (the guest
   *                     session) and call our API; without it the origin would be opaque;
   *  allow-forms        the message and sign-in forms (a sandbox otherwise drops submits);
   *  allow-popups (+ -to-escape-sandbox)  links in messages open in a new, normal tab.
   * Not allowed: navigating the host page (top-navigation), dialogs (modals), downloads. */
  function makeFrame() {
    if (frame) return;
    frame = document.createElement("iframe");
    frame.className = "p";
    frame.hidden = !open;
    frame.title = label;
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms allow-popups " +
                       "allow-popups-to-escape-sandbox");
    // The chat learns our host page's origin from ?origin= (and checks it against its
    // ancestorOrigins where the browser has them), to talk to it alone.
    frame.src = base + "/widget/" + encodeURIComponent(slug) + "?origin=" +
      encodeURIComponent(location.origin);
    wrap.appendChild(frame);
  }

  function setOpen(value) {
    wanted = value;
    if (!drawn || value === open) return;
    open = value;
    makeFrame();
    frame.hidden = !open;
    wrap.classList.toggle("o", open);
    launcher.setAttribute("aria-expanded", String(open));
    post({ type: "open", open: open });
    if (open) frame.focus(); else launcher.focus({ preventScroll: true });
    emit(open ? "open" : "close");
  }

  function unread(count) {
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = !count;
    launcher.setAttribute("aria-label", label + (count ? " (" + badge.textContent + ")" : ""));
    emit("unread", { count: count });
  }

  window.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
    var data = event.data || {};
    if (data.bank !== 1) return;
    if (data.type === "hello") {
      helloed = true;
      post({ type: "init", open: open, identity: identity });
    } else if (data.type === "unread") {
      unread(Math.max(0, data.count | 0));
    } else if (data.type === "close") {
      setOpen(false);
    }
  });

  /* White or near-black text, whichever reads better on the business's colour. */
  function ink(hex) {
    var n = parseInt(hex.slice(1), 16);
    var y = 0.299 * (n >> 16) + 0.587 * (n >> 8 & 255) + 0.114 * (n & 255);
    return y > 160 ? "#111" : "#fff";
  }

  /* --o is the business's bottom offset; the safe-area insets are the device's (0 elsewhere). */
  var B = "env(safe-area-inset-bottom,0px)", T = "env(safe-area-inset-top,0px)",
      L = "env(safe-area-inset-left,0px)", R = "env(safe-area-inset-right,0px)";
  var CSS = "*{box-sizing:border-box}" +
    ".w{font:600 15px/1.2 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
    ".l,.p{position:fixed;right:calc(20px + " + R + ");z-index:2147483000;" +
    "max-width:calc(100% - 40px - " + L + " - " + R + ")}" +
    ".l{bottom:calc(var(--o) + " + B + ");display:flex;align-items:center;gap:8px;" +
    "height:56px;min-width:56px;padding:0 16px;margin:0;border:0;border-radius:28px;" +
    "background:var(--c);color:var(--i);font:inherit;cursor:pointer;" +
    "box-shadow:0 4px 16px rgba(0,0,0,.25)}" +
    ".t{min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
    ".l:focus-visible{outline:3px solid #111;outline-offset:2px}" +
    ".l svg{width:24px;height:24px;fill:currentColor;flex:none}" +
    ".b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;" +
    "border-radius:10px;background:#d1153d;color:#fff;font:700 12px/20px system-ui,sans-serif}" +
    ".p{bottom:calc(var(--o) + 68px + " + B + ");width:380px;height:600px;" +
    "max-height:calc(100% - var(--o) - 88px - " + B + " - " + T + ");border:0;" +
    "border-radius:14px;background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.3)}" +
    ".left .l,.left .p{right:auto;left:calc(20px + " + L + ")}" +
    "[hidden]{display:none!important}" +
    // A phone: the chat fills the screen inside the insets, down to the offset. An iframe
    // does not stretch between top and bottom, hence its size is given.
    "@media (max-width:480px){.p,.left .p{top:" + T + ";left:" + L + ";right:auto;" +
    "bottom:auto;width:calc(100% - " + L + " - " + R + ");" +
    "height:calc(100% - " + T + " - var(--o) - " + B + ");max-width:none;max-height:none;" +
    "border-radius:0}.o .l{display:none}}";

  function draw(config) {
    var look = config.appearance;
    host = document.createElement("bank-chat-widget");
    // Inline !important beats any rule of the host page on our one element.
    host.style.cssText = "all:initial!important;display:block!important";
    var root = host.attachShadow({ mode: "closed" });
    try { // a constructed sheet: no <style> element, which a strict host CSP would block
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = CSS;
      root.appendChild(style);
    }
    wrap = document.createElement("div");
    wrap.className = "w" + (look.position === "left" ? " left" : "");
    wrap.style.setProperty("--c", look.color);
    wrap.style.setProperty("--i", ink(look.color));
    var offset = typeof look.bottomOffset === "number"
      ? Math.max(0, Math.min(OFFSET_MAX, Math.round(look.bottomOffset))) : OFFSET_DEFAULT;
    wrap.style.setProperty("--o", offset + "px");
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "l";
    label = look.launcherText || config.business.name;
    launcher.setAttribute("aria-label", label);
    launcher.setAttribute("aria-expanded", "false");
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(svg.namespaceURI, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z");
    svg.appendChild(path);
    launcher.appendChild(svg);
    if (look.launcherText) {
      var text = document.createElement("span");
      text.className = "t"; // a long text ends in "…" rather than leave the screen
      text.textContent = look.launcherText;
      launcher.appendChild(text);
    }
    badge = document.createElement("span");
    badge.className = "b";
    badge.hidden = true;
    launcher.appendChild(badge);
    launcher.addEventListener("click", function () { setOpen(!open); });
    wrap.appendChild(launcher);
    root.appendChild(wrap);
    document.body.appendChild(host);
    drawn = true;
    readyDetail = { bottomOffset: offset, launcherHeight: launcher.offsetHeight };
    // Load the chat when the page is idle: a returning visitor's unread replies show on the
    // badge, and a click opens a chat that is already there.
    (window.requestIdleCallback || setTimeout)(makeFrame);
    if (wanted) setOpen(true);
    emit("ready", readyDetail);
  }

  W = window.BankWidget = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    toggle: function () { setOpen(!(drawn ? open : wanted)); },
    on: function (name, fn) {
      (handlers[name] = handlers[name] || []).push(fn);
      if (name === "ready" && drawn) fn(readyDetail);
      return W;
    },
    identify: function (person) {
      identity = who(person);
      post({ type: "identify", identity: identity });
    }
  };
  queued.forEach(function (call) {
    if (W[call[0]]) W[call[0]].apply(W, [].slice.call(call, 1));
  });

  fetch(base + "/api/widget/" + encodeURIComponent(slug) + "/config", { credentials: "omit" })
    .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status)); })
    .then(function (body) {
      if (!body.data.embeddable) {
        throw new Error("this website is not among the business's allowed websites");
      }
      if (document.body) draw(body.data);
      else document.addEventListener("DOMContentLoaded", function () { draw(body.data); });
    })
    .catch(function (error) { console.warn("Bank widget: " + error.message); });
})();
