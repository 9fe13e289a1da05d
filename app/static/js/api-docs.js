// Starts Swagger UI on the API docs page; kept in a file so the page needs no inline script.
(function () {
  var root = document.getElementById("swagger-ui");

  // Controls Swagger UI draws without a name (its server menu, a request body's editor once
  // "Try it out" shows it) get one as they appear.
  function name() {
    var servers = document.getElementById("servers");
    if (servers && !servers.hasAttribute("aria-label")) servers.setAttribute("aria-label", "Server");
    root.querySelectorAll("textarea.body-param__text:not([aria-label])").forEach(function (area) {
      area.setAttribute("aria-label", "Request body");
    });
  }
  new MutationObserver(name).observe(root, { childList: true, subtree: true });

  // No deep links: Swagger UI puts them as links inside each operation's button.
  window.SwaggerUIBundle({ url: root.getAttribute("data-spec"), domNode: root, deepLinking: false });
})();
