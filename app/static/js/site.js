/* What every page shares: the translated words, the profile link in the header, sign-in
 * redirects, messages, and the Subscribe toggle. Needs api.js. */
(function () {
  "use strict";

  var Bank = window.Bank;
  var words = {};
  try { words = JSON.parse(document.getElementById("i18n").textContent || "{}"); } catch (e) { words = {}; }
  var lang = document.documentElement.lang || "ru";

  /* el("li", "card", "text"): a new element with a class and text (never HTML). */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* t("nothingFound", {query: "…"}): a translated phrase with its {placeholders} filled. */
  function t(key, values) {
    var text = words[key] === undefined ? key : String(words[key]);
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  /* plural("subscribers", 5) → "5 подписчиков": the form Intl.PluralRules picks. */
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  function plural(key, count) {
    var forms = words[key] || {};
    var form = forms[rules ? rules.select(count) : (count === 1 ? "one" : "other")] || forms.other || "{n}";
    return form.split("{n}").join(formatNumber(count));
  }

  function formatNumber(value, digits) {
    try {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: digits || 0 }).format(value);
    } catch (e) { return String(value); }
  }

  function here() { return location.pathname + location.search; }

  function loginUrl(next) {
    return "/login?next=" + encodeURIComponent(next || here());
  }

  /* On pages that need the visitor: go to the sign-in page (and back here after) when signed out. */
  function requireSignIn() {
    if (Bank.session.signedIn()) return true;
    location.replace(loginUrl());
    return false;
  }

  /* A failed API call on a page that needs the visitor: 401 means the session is gone. */
  function handleAuthError(error) {
    if (error && error.status === 401) {
      Bank.session.clear();
      location.replace(loginUrl());
      return true;
    }
    return false;
  }

  function errorText(error) {
    if (error && error.status === 0) return t("networkError");
    return (error && error.message) || t("error");
  }

  /* Show `text` in a message element (role="alert" or "status"); empty hides it. */
  function say(element, text) {
    if (!element) return;
    element.textContent = text || "";
    element.hidden = !text;
  }

  function fillNav() {
    var link = document.getElementById("nav-profile");
    var user = Bank.session.user();
    var signedIn = Bank.session.signedIn();
    if (link) {
      if (!link.hasAttribute("data-login-url")) link.setAttribute("data-login-url", link.getAttribute("href"));
      link.href = link.getAttribute(signedIn ? "data-profile-url" : "data-login-url");
      link.textContent = signedIn ? ((user && user.name) || t("myProfile")) : t("signIn");
    }
    document.querySelectorAll("[data-signed-in]").forEach(function (el) { el.hidden = !signedIn; });
    var greeting = document.getElementById("greeting");
    if (greeting) {
      greeting.hidden = !signedIn;
      document.getElementById("greeting-name").textContent = (user && user.name) || t("myProfile");
    }
  }

  /* A Subscribe/Unsubscribe button: data-business-id, data-subscribed="true|false". */
  function setSubscribed(button, subscribed) {
    button.setAttribute("data-subscribed", subscribed ? "true" : "false");
    button.textContent = subscribed ? t("unsubscribe") : t("subscribe");
    button.classList.toggle("is-on", subscribed);
  }

  /* Toggle it through the API; signed out, go to the sign-in page first.
   * Resolves to the new subscriber count, or null when nothing changed. */
  async function toggleSubscription(button, onError) {
    if (!Bank.session.signedIn()) {
      location.assign(loginUrl());
      return null;
    }
    var id = button.getAttribute("data-business-id");
    var subscribed = button.getAttribute("data-subscribed") === "true";
    var path = "/api/businesses/" + encodeURIComponent(id) + "/subscribe";
    button.disabled = true;
    try {
      var answer = subscribed ? await Bank.api.del(path) : await Bank.api.post(path);
      setSubscribed(button, answer.data.subscribed);
      return answer.data.subscriberCount;
    } catch (error) {
      if (error.status === 401) {
        Bank.session.clear();
        location.assign(loginUrl());
      } else if (onError) {
        onError(errorText(error));
      }
      return null;
    } finally {
      button.disabled = false;
    }
  }

  /* One sign-in for the site and the cabinet: signed in here, the cabinet's session is opened
   * from this sign-in (no second SMS) before a link into the cabinet is followed. */
  async function openCabinet() {
    try {
      await Bank.api.post("/cabinet/session");
      return true;
    } catch (e) {
      return false;
    }
  }

  /* Team members see a "Cabinet" link; whether one is, is asked once an hour at most. */
  var TEAM_KEY = "bank.team";
  async function fillTeamLink() {
    var link = document.getElementById("nav-cabinet");
    if (!link) return;
    var known = null;
    try { known = JSON.parse(localStorage.getItem(TEAM_KEY) || "null"); } catch (e) { known = null; }
    var user = Bank.session.user();
    if (!Bank.session.signedIn() || !user) {
      link.hidden = true;
      return;
    }
    if (!known || known.user !== user.id || Date.now() - known.at > 3600 * 1000) {
      try {
        var counts = (await Bank.api.get("/api/me")).data.counts;
        known = { user: user.id, at: Date.now(),
                  team: counts.businessesOwned + counts.businessesJoined > 0 };
        localStorage.setItem(TEAM_KEY, JSON.stringify(known));
      } catch (e) {
        return;
      }
    }
    link.hidden = !known.team;
  }

  document.querySelectorAll("a[data-cabinet-link]").forEach(function (link) {
    link.addEventListener("click", async function (event) {
      if (!Bank.session.signedIn()) return; // the cabinet asks to sign in, and signs the site in
      event.preventDefault();
      await openCabinet();
      location.assign(link.href);
    });
  });

  Bank.openCabinet = openCabinet;
  Bank.t = t;
  Bank.plural = plural;
  Bank.formatNumber = formatNumber;
  Bank.lang = lang;
  Bank.loginUrl = loginUrl;
  Bank.requireSignIn = requireSignIn;
  Bank.el = el;
  Bank.handleAuthError = handleAuthError;
  Bank.errorText = errorText;
  Bank.say = say;
  Bank.setSubscribed = setSubscribed;
  Bank.toggleSubscription = toggleSubscription;
  Bank.refreshNav = function () { fillNav(); fillTeamLink(); };

  fillNav();
  fillTeamLink();
  document.querySelectorAll("button.subscribe").forEach(function (button) {
    setSubscribed(button, button.getAttribute("data-subscribed") === "true");
  });

  /* The service worker (the app shell offline, push notifications; /sw.js, scope "/").
   * Registered after the page has loaded, so it never competes with the page's own requests. */
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () { /* the site works without it */ });
    });
  }
})();
