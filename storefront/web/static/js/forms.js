/* The result of a form the visitor just sent (thanks, or what to fix) sits beside that
   form. When the page opens with one, focus moves to it, so it is in view and screen
   readers read it out. Pages work without this script: the message is there either way,
   and the form's address takes the browser to it. */
(function () {
  "use strict";
  function focusResult() {
    var result = document.querySelector("[data-focus-on-load]");
    if (result) {
      result.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusResult);
  } else {
    focusResult();
  }
}());
