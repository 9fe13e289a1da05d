// Starts Swagger UI on the API docs page; kept in a file so the page needs no inline script.
(function () {
  var root = document.getElementById("swagger-ui");
  // No deep links: Swagger UI puts them as links inside each operation's button.
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"), domNode: root, deepLinking: false,
    onComplete: function () {
      // Its server menu comes without a name.
      var servers = document.getElementById("servers");
      if (servers) servers.setAttribute("aria-label", "Server");
    }
  });
})();
