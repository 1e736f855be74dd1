// The panel checks every form on the server and answers in Vietnamese, next to the field and
// keeping what was typed: the browser's own bubbles ("Please fill out this field.", in the
// browser's language) never show. Forms added later (dialogs) are covered at submit time.
(function () {
  function noBrowserChecks(form) {
    if (form) form.noValidate = true;
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.forms, noBrowserChecks);
  });
  document.addEventListener(
    "click",
    function (event) {
      var control = event.target.closest && event.target.closest("button, input[type=submit]");
      if (control) noBrowserChecks(control.form);
    },
    true
  );
})();
