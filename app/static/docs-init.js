// Starts Swagger UI on the API's own OpenAPI document (an external file: the CSP forbids inline scripts).
window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
