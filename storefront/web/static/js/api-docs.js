/* Starts Swagger UI on the API reference page, over the OpenAPI document the page names
   in `data-openapi-url`. Kept in a file of its own: the shop's pages run no inline script. */
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    window.SwaggerUIBundle({
      url: root.getAttribute("data-openapi-url"),
      domNode: root,
      // Links inside the operations' buttons would nest one control in another.
      deepLinking: false,
      // No badge from an outside validator: the page talks to this shop only.
      validatorUrl: null,
      // The document to show is the shop's: a `?url=` in the address cannot replace it.
      queryConfigEnabled: false,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      defaultModelsExpandDepth: 0,
      tryItOutEnabled: false
    });
  }
  // What Swagger UI draws is adjusted as it appears, for keyboards and screen readers:
  // - each operation's button is named by its visible text (method, path and summary),
  //   not by a shorter aria-label, so that what people see is what they can say;
  // - the request body's editor is named;
  // - code samples that scroll can be reached with the keyboard to scroll them.
  function adjust(root) {
    var i;
    var buttons = root.querySelectorAll(".opblock-summary-control[aria-label]");
    for (i = 0; i < buttons.length; i += 1) {
      buttons[i].removeAttribute("aria-label");
    }
    var editors = root.querySelectorAll("textarea:not([aria-label]):not([id])");
    for (i = 0; i < editors.length; i += 1) {
      editors[i].setAttribute("aria-label", "Request body (JSON)");
    }
    var samples = root.querySelectorAll(".highlight-code pre:not([tabindex]), pre.microlight:not([tabindex])");
    for (i = 0; i < samples.length; i += 1) {
      samples[i].setAttribute("tabindex", "0");
    }
  }
  function watch() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.MutationObserver !== "function") {
      return;
    }
    new window.MutationObserver(function () { adjust(root); })
      .observe(root, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { watch(); start(); });
  } else {
    watch();
    start();
  }
}());
