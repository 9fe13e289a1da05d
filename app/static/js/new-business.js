/* /cabinet/new: the page address is suggested from the name until the person types one of
 * their own, and checked as they type; the coordinates may come from the browser's location
 * (no map or geocoding service is asked). The server checks everything again on submit. */
(function () {
  "use strict";

  var form = document.getElementById("new-business-form");
  if (!form || !window.Bank) return;
  var api = window.Bank.api;
  var name = document.getElementById("name");
  var slug = document.getElementById("slug");
  var slugStatus = document.getElementById("slug-status");
  var ownSlug = !!slug.value; // typed by the person (or sent back after an error): kept
  var latest = 0; // answers that arrive out of order are dropped

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function say(element, text, tone) {
    element.textContent = text || "";
    element.className = "small mt-1" + (tone ? " text-" + tone : "");
  }

  function showAvailability(answer) {
    slugStatus.textContent = "";
    // This answer speaks for the address now: a refused submit's error about it (the same
    // words, or stale once the address is changed) gives way to it, so it is said once.
    slugStatus.parentNode.querySelectorAll(".invalid-feedback").forEach(function (old) { old.remove(); });
    if (answer.available) {
      slug.classList.remove("is-invalid");
      say(slugStatus, form.getAttribute("data-free"), "success");
      return;
    }
    say(slugStatus, answer.problem, "danger");
    answer.suggestions.forEach(function (free) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link btn-sm p-0 ml-2 align-baseline";
      button.textContent = free;
      button.addEventListener("click", function () {
        slug.value = free;
        ownSlug = true;
        check();
      });
      slugStatus.appendChild(button);
    });
  }

  async function check() {
    var value = slug.value.trim();
    var ticket = ++latest;
    if (!value) { say(slugStatus, ""); return; }
    try {
      var body = await api.get("/api/businesses/slug-availability?slug=" + encodeURIComponent(value),
                               { auth: false });
      if (ticket === latest) showAvailability(body.data);
    } catch (e) {
      if (ticket === latest) say(slugStatus, ""); // the server checks on submit anyway
    }
  }

  async function suggest() {
    var value = name.value.trim();
    var ticket = ++latest;
    if (ownSlug || !value) return;
    try {
      var body = await api.get("/api/businesses/slug-suggestions?name=" + encodeURIComponent(value),
                               { auth: false });
      if (ticket !== latest || ownSlug || !body.data.suggestions.length) return;
      slug.value = body.data.suggestions[0];
      showAvailability({ available: true });
    } catch (e) { /* a slug is made from the name on submit */ }
  }

  name.addEventListener("input", debounce(suggest, 300));
  slug.addEventListener("input", function () { ownSlug = !!slug.value.trim(); });
  slug.addEventListener("input", debounce(check, 300));
  if (ownSlug) check();

  var locate = document.getElementById("use-my-location");
  var locationStatus = document.getElementById("location-status");
  if (!navigator.geolocation) return;
  locate.hidden = false;
  locate.addEventListener("click", function () {
    say(locationStatus, locate.getAttribute("data-asking"), "muted");
    locate.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      locate.disabled = false;
      document.getElementById("lat").value = position.coords.latitude.toFixed(6);
      document.getElementById("lng").value = position.coords.longitude.toFixed(6);
      say(locationStatus, locate.getAttribute("data-found"), "success");
    }, function (error) {
      locate.disabled = false;
      say(locationStatus, locate.getAttribute(error.code === 1 ? "data-refused" : "data-failed"),
          "danger");
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  });
})();
