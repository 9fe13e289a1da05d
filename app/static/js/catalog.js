/* The catalog (and the home page's list): search as you type, category filter, "near me",
 * "Show more", and a Subscribe toggle on every item. The server renders the first page;
 * this script takes over. Items are built from <template id="business-item"> with
 * textContent only, never HTML from data. */
(function () {
  "use strict";

  var Bank = window.Bank;
  var results = document.getElementById("results");
  if (!results) return;
  var form = document.getElementById("catalog-form");
  var template = document.getElementById("business-item");
  var status = document.getElementById("results-status");
  var more = document.getElementById("show-more");
  var nearButton = document.getElementById("near-me");
  var NEAR_RADIUS = 50000; // metres: a city and its suburbs
  var DEBOUNCE_MS = 250;

  var state = {
    page: parseInt(results.getAttribute("data-page") || "1", 10),
    pages: parseInt(results.getAttribute("data-pages") || "1", 10),
    limit: parseInt(results.getAttribute("data-limit") || "0", 10) || null,
    coords: null
  };
  var inFlight = null;
  var timer = null;

  function badgeColour(id) {
    var sum = 0;
    for (var i = 0; i < (id || "").length; i++) sum += id.charCodeAt(i);
    return sum % 8;
  }

  function firstLetter(name) {
    var match = (name || "").match(/[\p{L}\p{N}]/u);
    return match ? match[0].toUpperCase() : "•";
  }

  function distanceText(metres) {
    if (metres < 1000) return Bank.t("m", { distance: Bank.formatNumber(Math.max(10, Math.round(metres / 10) * 10)) });
    return Bank.t("km", { distance: Bank.formatNumber(metres / 1000, 1) });
  }

  function render(item) {
    var li = template.content.firstElementChild.cloneNode(true);
    li.querySelector(".biz__link").href = "/b/" + encodeURIComponent(item.slug);
    var badge = li.querySelector(".badge");
    if (item.logoUrl) {
      var img = document.createElement("img");
      img.className = "logo logo--small";
      img.src = item.logoUrl;
      img.alt = "";
      img.width = 48;
      img.height = 48;
      img.loading = "lazy";
      badge.replaceWith(img);
    } else {
      badge.className = "logo logo--small badge badge--c" + badgeColour(item.id);
      badge.textContent = firstLetter(item.name);
    }
    li.querySelector(".biz__name").textContent = item.name;
    li.querySelector(".biz__meta").textContent = (item.categories || []).map(function (c) { return c.name; }).join(", ");
    li.querySelector(".biz__address").textContent = (item.location && item.location.address) || "";
    var distance = li.querySelector(".biz__distance");
    if (typeof item.distanceMeters === "number") {
      distance.textContent = distanceText(item.distanceMeters);
      distance.hidden = false;
    }
    li.querySelector(".biz__subs").textContent = Bank.plural("subscribers", item.subscriberCount);
    var button = li.querySelector("button.subscribe");
    button.setAttribute("data-business-id", item.id);
    Bank.setSubscribed(button, !!item.isSubscribed);
    return li;
  }

  function query(page) {
    var params = new URLSearchParams();
    if (form) {
      var q = form.elements.q.value.trim();
      var category = form.elements.category.value;
      if (q) params.set("q", q);
      if (category) params.set("category", category);
    }
    if (state.coords) {
      params.set("lat", state.coords.lat.toFixed(5));
      params.set("lng", state.coords.lng.toFixed(5));
      params.set("radius", String(NEAR_RADIUS));
    }
    if (state.limit) params.set("limit", String(state.limit));
    params.set("page", String(page));
    return params;
  }

  function summary(total) {
    if (total > 0) return Bank.plural("found", total);
    if (state.coords) return Bank.t("nothingNear");
    var q = form ? form.elements.q.value.trim() : "";
    return q ? Bank.t("nothingFound", { query: q }) : Bank.t("noBusinesses");
  }

  /* Keep the address in step with the search, so reload and sharing show the same. */
  function remember() {
    if (!form) return;
    var params = query(1);
    ["page", "lat", "lng", "radius", "limit"].forEach(function (name) { params.delete(name); });
    var search = params.toString();
    history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
  }

  async function load(page, append) {
    if (inFlight) inFlight.abort();
    var controller = new AbortController();
    inFlight = controller;
    results.setAttribute("aria-busy", "true");
    try {
      var answer = await Bank.api.get("/api/catalog?" + query(page).toString(), { signal: controller.signal });
      if (!append) results.textContent = "";
      answer.data.forEach(function (item) { results.appendChild(render(item)); });
      state.page = answer.pagination.page;
      state.pages = answer.pagination.pages;
      if (status) status.textContent = summary(answer.pagination.total);
      if (more) more.hidden = state.page >= state.pages;
      if (!append) remember();
    } catch (error) {
      if (error.name === "AbortError") return;
      if (error.status === 401) Bank.refreshNav();
      if (status) status.textContent = Bank.errorText(error);
    } finally {
      if (inFlight === controller) {
        inFlight = null;
        results.removeAttribute("aria-busy");
      }
    }
  }

  results.addEventListener("click", async function (event) {
    var button = event.target.closest("button.subscribe");
    if (!button) return;
    var count = await Bank.toggleSubscription(button, function (text) { if (status) status.textContent = text; });
    if (count !== null && count !== undefined) {
      button.closest(".biz").querySelector(".biz__subs").textContent = Bank.plural("subscribers", count);
    }
  });

  if (more) {
    more.addEventListener("click", function (event) {
      event.preventDefault();
      load(state.page + 1, true);
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      load(1, false);
    });
    form.elements.q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { load(1, false); }, DEBOUNCE_MS);
    });
    form.elements.category.addEventListener("change", function () { load(1, false); });
  }

  if (nearButton && navigator.geolocation) {
    nearButton.hidden = false;
    nearButton.addEventListener("click", function () {
      if (state.coords) { // turn it off
        state.coords = null;
        nearButton.setAttribute("aria-pressed", "false");
        nearButton.textContent = Bank.t("nearMe");
        load(1, false);
        return;
      }
      if (status) status.textContent = Bank.t("locating");
      navigator.geolocation.getCurrentPosition(function (position) {
        state.coords = { lat: position.coords.latitude, lng: position.coords.longitude };
        nearButton.setAttribute("aria-pressed", "true");
        nearButton.textContent = Bank.t("nearMeOn");
        load(1, false);
      }, function () {
        if (status) status.textContent = Bank.t("geoDenied");
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  }

  // Signed in, fetch the shown page again to learn which items are subscribed.
  if (Bank.session.signedIn() && results.children.length) load(state.page, false);
})();
