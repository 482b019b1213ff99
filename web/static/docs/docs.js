// Renders /api/v1/openapi.json with Swagger UI. window.PAYGATE_DOCS comes from
// /docs/config.js, which the server writes: in test mode it carries the demo
// merchant's key and secret, so "Try it out" works without typing them.
(function () {
  'use strict';
  var config = window.PAYGATE_DOCS || { url: '/api/v1/openapi.json' };
  if (!window.SwaggerUIBundle) {
    // A build without Swagger UI (-DPAYGATE_SWAGGER_UI=OFF): point at the JSON instead.
    var root = document.getElementById('swagger-ui');
    root.textContent = 'Swagger UI is not part of this build. The description: ';
    var link = document.createElement('a');
    link.href = config.url;
    link.textContent = config.url;
    root.appendChild(link);
    return;
  }
  var ui = window.SwaggerUIBundle({
    url: config.url,
    dom_id: '#swagger-ui',
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    deepLinking: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    onComplete: function () {
      if (config.apiKey) ui.preauthorizeApiKey('ApiKey', config.apiKey);
      if (config.apiSecret) ui.preauthorizeApiKey('ApiSecret', config.apiSecret);
    },
  });
  window.paygateDocs = ui;
})();
