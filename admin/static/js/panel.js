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

// Select2 (the library's pickers for multiple choices) speaks English unless told; its
// defaults are set before the form scripts build the pickers (both wait for the page's
// "ready", and this handler is registered first).
if (window.jQuery) {
  window.jQuery(function ($) {
    if (!$.fn.select2) return;
    $.fn.select2.defaults.set("language", {
      errorLoading: function () { return "Không tải được kết quả."; },
      inputTooLong: function (args) { return "Hãy xóa bớt " + (args.input.length - args.maximum) + " ký tự."; },
      inputTooShort: function (args) { return "Hãy gõ thêm " + (args.minimum - args.input.length) + " ký tự."; },
      loadingMore: function () { return "Đang tải thêm…"; },
      maximumSelected: function (args) { return "Chỉ chọn được tối đa " + args.maximum + " mục."; },
      noResults: function () { return "Không tìm thấy"; },
      searching: function () { return "Đang tìm…"; },
      removeAllItems: function () { return "Bỏ chọn tất cả"; },
      removeItem: function () { return "Bỏ chọn mục này"; },
      search: function () { return "Tìm"; }
    });
  });
}
