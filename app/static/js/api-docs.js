// Starts Swagger UI on the API docs page; kept in a file so the page needs no inline script.
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.getAttribute("data-spec"), domNode: root, deepLinking: true });
})();
