/* The one place that keeps the sign-in tokens and talks to the JSON API.
 *
 * Tokens live in localStorage. A request that answers 401 "token_expired" refreshes the pair
 * once (POST /api/auth/refresh with the refresh token as the Bearer) and is retried. A refresh
 * token works only once, so refreshes are serialised: within the page by one shared promise,
 * across tabs by a Web Lock, and a tab that finds a newer token already stored uses it. */
(function () {
  "use strict";

  var KEYS = { access: "bank.accessToken", refresh: "bank.refreshToken", user: "bank.user" };

  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function write(key, value) {
    try {
      if (value === null || value === undefined) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* storage disabled: the session lasts as long as the page */ }
  }

  function ApiError(status, code, message, details, retryAfter) {
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.message = message;
    this.details = details || {};
    this.retryAfter = retryAfter;
  }
  ApiError.prototype = Object.create(Error.prototype);

  var session = {
    accessToken: function () { return read(KEYS.access); },
    refreshToken: function () { return read(KEYS.refresh); },
    signedIn: function () { return !!(read(KEYS.refresh) || read(KEYS.access)); },
    user: function () {
      try { return JSON.parse(read(KEYS.user) || "null"); } catch (e) { return null; }
    },
    setUser: function (user) {
      write(KEYS.user, user ? JSON.stringify({ id: user.id, name: user.name, avatarUrl: user.avatarUrl }) : null);
    },
    /* Keep what POST /api/auth/verify-code or /refresh answered. */
    save: function (data) {
      write(KEYS.access, data.accessToken);
      if (data.refreshToken) write(KEYS.refresh, data.refreshToken);
      if (data.user) session.setUser(data.user);
    },
    clear: function () {
      write(KEYS.access, null);
      write(KEYS.refresh, null);
      write(KEYS.user, null);
    }
  };

  async function parse(response) {
    var body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.ok) return body;
    var error = (body && body.error) || {};
    var retryAfter = parseInt(response.headers.get("Retry-After") || "", 10);
    throw new ApiError(response.status, error.code || "error", error.message || response.statusText,
                       error.details, isNaN(retryAfter) ? undefined : retryAfter);
  }

  var refreshing = null;

  async function refreshOnce(staleAccess) {
    var stored = read(KEYS.access);
    if (stored && stored !== staleAccess) return true; // another tab refreshed meanwhile
    var refreshToken = read(KEYS.refresh);
    if (!refreshToken) return false;
    var response = await fetch("/api/auth/refresh", {
      method: "POST", headers: { Authorization: "Bearer " + refreshToken }, credentials: "same-origin"
    });
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) session.clear();
      return false;
    }
    session.save((await response.json()).data);
    return true;
  }

  function refresh(staleAccess) {
    if (!refreshing) {
      var run = function () { return refreshOnce(staleAccess); };
      refreshing = (navigator.locks ? navigator.locks.request("bank-token-refresh", run) : run())
        .finally(function () { refreshing = null; });
    }
    return refreshing;
  }

  /* request("GET", "/api/me") → the parsed body ({data: …}); throws ApiError.
   * options: json (a body to send as JSON), form (FormData), auth (default true). */
  async function request(method, path, options) {
    options = options || {};
    var auth = options.auth !== false;
    async function send() {
      var headers = { Accept: "application/json" };
      var token = auth ? read(KEYS.access) : null;
      if (token) headers.Authorization = "Bearer " + token;
      var body;
      if (options.json !== undefined) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(options.json);
      } else if (options.form) {
        body = options.form;
      }
      var response;
      try {
        response = await fetch(path, { method: method, headers: headers, body: body,
                                       credentials: "same-origin", signal: options.signal });
      } catch (e) {
        if (e && e.name === "AbortError") throw e;
        throw new ApiError(0, "network_error", null);
      }
      return { response: response, token: token };
    }
    var sent = await send();
    if (sent.response.status === 401 && sent.token) {
      var code = null;
      try { code = ((await sent.response.clone().json()).error || {}).code; } catch (e) { code = null; }
      if (code === "token_expired" && await refresh(sent.token)) {
        sent = await send();
      } else if (code !== "token_expired") {
        session.clear(); // revoked or invalid: this session is over
      }
    }
    return parse(sent.response);
  }

  window.Bank = window.Bank || {};
  window.Bank.ApiError = ApiError;
  window.Bank.session = session;
  window.Bank.api = {
    request: request,
    get: function (path, options) { return request("GET", path, options); },
    post: function (path, json, options) { return request("POST", path, Object.assign({ json: json }, options)); },
    put: function (path, json, options) { return request("PUT", path, Object.assign({ json: json }, options)); },
    del: function (path, options) { return request("DELETE", path, options); },
    upload: function (path, form) { return request("POST", path, { form: form }); }
  };
})();
