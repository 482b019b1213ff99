// Renders /api/v1/openapi.json with Swagger UI. window.PAYGATE_DOCS comes from
// /docs/config.js, which the server writes: in test mode it carries the demo
// merchant's key and secret, so "Try it out" works without typing them.
(function () {
  'use strict';
  var config = window.PAYGATE_DOCS || { url: '/api/v1/openapi.json' };
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
