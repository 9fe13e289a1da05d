/* The chat's storage and API calls (widget/static/chat.js uses them).
 *
 * A person signed in on this site writes with the account's tokens (api.js, shared with our
 * own pages; in a third-party iframe the browser keeps a separate storage per website, so a
 * person signs in there by phone in the chat). Anyone else is a guest: POST
 * /api/widget/<slug>/session with the guestId + guestSecret kept in localStorage (and the
 * host page's signed identity, if any) gives a short-lived Bearer token that reaches that
 * guest's own dialog with this business and nothing else. */
(function () {
  "use strict";

  var Bank = window.Bank;

  function Store(prefix) {
    this.load = function (key) {
      try { return JSON.parse(localStorage.getItem(prefix + key)); } catch (e) { return null; }
    };
    this.keep = function (key, value) {
      try {
        if (value === null) localStorage.removeItem(prefix + key);
        else localStorage.setItem(prefix + key, JSON.stringify(value));
      } catch (e) { /* no storage: the session lasts as long as the page */ }
    };
  }

  function Transport(slug, words, store) {
    this.slug = slug;
    this.words = words;
    this.store = store;
    this.token = null;     // the guest's Bearer token
    this.identity = null;  // {id, signature} from the host page
    this.renewing = null;
  }

  Transport.prototype.signedIn = function () { return Bank.session.signedIn(); };

  /* One request with `bearer`; the parsed body, or a Bank.ApiError (status 0: offline). */
  Transport.prototype.raw = async function (method, path, json, bearer) {
    var headers = { Accept: "application/json" };
    if (bearer) headers.Authorization = "Bearer " + bearer;
    if (json !== undefined) headers["Content-Type"] = "application/json";
    var response;
    try {
      response = await fetch(path, { method: method, headers: headers, credentials: "omit",
                                     body: json === undefined ? undefined : JSON.stringify(json) });
    } catch (e) {
      throw new Bank.ApiError(0, "network_error", this.words.networkError);
    }
    var body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.ok) return body;
    var error = (body && body.error) || {};
    var wait = parseInt(response.headers.get("Retry-After") || "", 10);
    throw new Bank.ApiError(response.status, error.code || "error",
                            error.message || this.words.error, error.details,
                            isNaN(wait) ? undefined : wait);
  };

  /* A call as whoever writes: the account (api.js refreshes its token), else the guest (a
   * new session when the token expired, and the call once more). */
  Transport.prototype.call = async function (method, path, json) {
    if (this.signedIn()) {
      return Bank.api.request(method, path, json === undefined ? {} : { json: json });
    }
    if (!this.token) await this.session();
    try {
      return await this.raw(method, path, json, this.token);
    } catch (error) {
      if (error.status !== 401) throw error;
      await this.session();
      return this.raw(method, path, json, this.token);
    }
  };

  /* The guest's session (one request at a time): {token, guest, dialogId}. A stored guest the
   * server no longer knows is forgotten, and a new one made. */
  Transport.prototype.session = function () {
    var self = this;
    if (!self.renewing) {
      self.renewing = (async function () {
        var url = "/api/widget/" + encodeURIComponent(self.slug) + "/session";
        var guest = self.store.load("guest"), body = {}, data;
        if (self.identity) body.identity = self.identity;
        try {
          var known = guest ? { guestId: guest.id, guestSecret: guest.secret } : {};
          data = (await self.raw("POST", url, Object.assign(known, body))).data;
        } catch (error) {
          if (!guest || [401, 404].indexOf(error.status) < 0) throw error;
          self.store.keep("guest", null);
          data = (await self.raw("POST", url, body)).data;
        }
        self.token = data.token;
        if (data.guest.secret) self.store.keep("guest", { id: data.guest.id, secret: data.guest.secret });
        return data;
      })().finally(function () { self.renewing = null; });
    }
    return self.renewing;
  };

  window.ChatStore = Store;
  window.ChatTransport = Transport;
})();
