/* Live updates: reads the server's event stream (GET /api/stream, text/event-stream).
 *
 * fetch() rather than EventSource, because EventSource cannot send the Authorization header.
 * The server ends each stream after a minute or so; it is reopened at once with the last id
 * seen (Last-Event-ID), so nothing is missed. After a failure (the connection broke, the
 * server restarts) it is reopened with growing, randomly spread delays, so thousands of pages
 * do not all come back in the same second. A server that refuses the stream because too many
 * are open (429) is asked again only after its Retry-After: the state is then "limited", with
 * the server's message for the page to show. A `reset` event means the gap could not be
 * filled: reload what the page shows.
 *
 *   var live = BankLive.open({
 *     url: "/api/stream?topics=dialog:cnv_1",
 *     lastEventId: "…",                          // optional: resume after this id
 *     onEvent: function (e) { ... e.id, e.event, e.topic, e.data ... },
 *     onState: function (state, detail) { ... }   // connecting, open, reconnecting,
 *   });                                // limited ({message, inMs}), unauthorized, failed, closed
 *   live.close();
 *
 * By default the access token comes from api.js (window.Bank.session), which also refreshes
 * it when the stream answers 401. Pass `getToken` for another source, or `headers` for fixed
 * headers (the cabinet's pages, signed in by cookie). */
(function () {
  "use strict";

  var MAX_DELAY_MS = 30000;

  /* A parser of the SSE wire format (the WHATWG rules); feed() it text, it calls dispatch(). */
  function Parser(dispatch) {
    var buffer = "", data = [], type = "", id = null;
    this.lastId = null; // the id of the last complete event: where a reconnection resumes
    this.retryMs = null;
    var self = this;

    function field(line) {
      if (line === "") {
        self.lastId = id;
        if (data.length) dispatch({ id: id, event: type || "message", data: data.join("\n") });
        data = [];
        type = "";
        return;
      }
      if (line.charAt(0) === ":") return; // a comment: the server's heartbeat
      var colon = line.indexOf(":");
      var name = colon < 0 ? line : line.slice(0, colon);
      var value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (name === "data") data.push(value);
      else if (name === "event") type = value;
      else if (name === "id" && value.indexOf("\u0000") < 0) id = value;
      else if (name === "retry" && /^\d+$/.test(value)) self.retryMs = parseInt(value, 10);
    }

    this.feed = function (text) {
      buffer += text;
      var match;
      // A "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
      while ((match = /\r\n|\r(?!$)|\n/.exec(buffer))) {
        field(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    };
  }

  function open(options) {
    var lastId = options.lastEventId || null;
    var closed = false, controller = null, timer = null, failures = 0, current = null;

    function state(name, detail) {
      if (name === current && name !== "reconnecting") return; // e.g. "open" after each reopen
      current = name;
      if (options.onState) options.onState(name, detail);
    }

    function headers() {
      var result = { Accept: "text/event-stream" };
      if (options.headers) {
        Object.keys(options.headers).forEach(function (name) { result[name] = options.headers[name]; });
      } else {
        var token = options.getToken ? options.getToken()
          : (window.Bank && window.Bank.session && window.Bank.session.accessToken());
        if (token) result.Authorization = "Bearer " + token;
      }
      if (lastId) result["Last-Event-ID"] = lastId;
      return result;
    }

    function later(minimumMs, name, detail) {
      if (closed) return;
      failures += 1;
      var delay = Math.min(MAX_DELAY_MS, 1000 * Math.pow(2, failures - 1));
      delay = delay / 2 + Math.random() * delay / 2; // jitter
      if (minimumMs) delay = Math.max(delay, minimumMs * (1 + Math.random() / 4));
      detail = detail || {};
      detail.inMs = Math.round(delay);
      state(name || "reconnecting", detail);
      timer = setTimeout(connect, delay);
    }

    /* Let api.js refresh an expired access token (its request() refreshes once on 401). */
    async function refreshed() {
      if (options.headers || options.getToken || !(window.Bank && window.Bank.api)) return false;
      try {
        await window.Bank.api.get("/api/me");
        return true;
      } catch (e) {
        return !(e && (e.status === 401 || e.status === 403));
      }
    }

    function deliver(frame) {
      var payload;
      try { payload = JSON.parse(frame.data); } catch (e) { payload = { topic: null, data: frame.data }; }
      if (frame.event === "ready") {
        failures = 0;
        state("open", { id: frame.id });
        return;
      }
      if (frame.event === "reset") failures = 0;
      if (options.onEvent) {
        options.onEvent({ id: frame.id, event: frame.event, topic: payload.topic, data: payload.data });
      }
    }

    async function connect() {
      timer = null;
      if (closed) return;
      if (current !== "open") state(failures ? "reconnecting" : "connecting");
      controller = new AbortController();
      var response;
      try {
        response = await fetch(options.url, { headers: headers(), credentials: "same-origin",
                                              cache: "no-store", signal: controller.signal });
      } catch (e) {
        return later();
      }
      if (response.status === 401) {
        if (await refreshed()) return later();
        closed = true;
        return state("unauthorized");
      }
      if (!response.ok || !response.body) {
        if (response.status === 429 || response.status >= 500) {
          var retryAfter = parseInt(response.headers.get("Retry-After") || "", 10);
          var wait = isNaN(retryAfter) ? 0 : retryAfter * 1000;
          if (response.status !== 429) return later(wait);
          var body = null;
          try { body = await response.json(); } catch (e) { /* not JSON: no message */ }
          return later(wait, "limited",
                       { message: body && body.error ? body.error.message : null });
        }
        closed = true; // 400, 403, 404: asking again would not help
        return state("failed", { status: response.status });
      }
      var opened = false, broken = false;
      var parser = new Parser(function (frame) { opened = true; deliver(frame); });
      var reader = response.body.getReader(), decoder = new TextDecoder();
      try {
        for (;;) {
          var chunk = await reader.read();
          if (chunk.done) break;
          parser.feed(decoder.decode(chunk.value, { stream: true }));
          if (parser.lastId) lastId = parser.lastId;
        }
      } catch (e) {
        broken = true; // the connection broke (the server went away), or close() aborted it
      }
      if (closed) return;
      // The server ends every stream after a while: reopen one that ended so at once. One
      // that broke waits a moment, spread at random, for a server that restarts.
      if (opened && !broken) timer = setTimeout(connect, 0);
      else if (opened) later();
      else later(parser.retryMs || 0);
    }

    connect();
    return {
      close: function () {
        if (closed) return;
        closed = true;
        if (timer) clearTimeout(timer);
        if (controller) controller.abort();
        state("closed");
      },
      lastEventId: function () { return lastId; }
    };
  }

  window.BankLive = { open: open };
})();
