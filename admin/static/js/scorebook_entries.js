/* Awards and discipline in the homeroom book: a pupil's list is edited in a dialog and saved
 * whole (the server checks every field and answers saved, invalid, refused or conflict). What
 * was typed stays in the dialog until it is saved or deliberately dropped. */
(function () {
  "use strict";
  var dataNode = document.getElementById("book-data");
  var dialog = document.getElementById("entries-dialog");
  var grid = document.getElementById("grid");
  if (!dataNode || !dialog || !grid || typeof dialog.showModal !== "function") return;
  var data = JSON.parse(dataNode.textContent);
  var base = window.location.pathname.replace(/\/book\/?$/, "/book");
  var form = document.getElementById("entries-form");
  var title = document.getElementById("entries-title");
  var list = document.getElementById("entries-list");
  var empty = document.getElementById("entries-empty");
  var alertBox = document.getElementById("entries-alert");
  var addButton = document.getElementById("entries-add");
  var saveButton = document.getElementById("entries-save");
  var cancelButton = document.getElementById("entries-cancel");
  var theirsButton = document.getElementById("entries-theirs");
  var statusNode = document.getElementById("status");
  var KINDS = { awards: "Khen thưởng", discipline: "Kỷ luật" };
  var rows = {};
  data.rows.forEach(function (row) { rows[row.id] = row; });

  var current = null;  // {row, kind, name, opener, seen, theirs, loaded}
  var counter = 0;

  function fieldsOf(kind) { return data.entryFields[kind] || []; }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)starlette_admin_csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function showAlert(text, kind) {
    alertBox.hidden = !text;
    alertBox.textContent = text || "";
    alertBox.className = "alert mb-2 " + (kind === "ok" ? "alert-success" : kind === "warn" ? "alert-warning" : "alert-danger");
  }

  // "2026-01-15" (as stored) -> "15/01/2026" (as typed); other text stays as it is.
  function typedDay(text) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    return match ? match[3] + "/" + match[2] + "/" + match[1] : text;
  }

  function entryNode(kind, values, index) {
    var item = document.createElement("li");
    item.className = "hocba-entry";
    var head = document.createElement("div");
    head.className = "d-flex justify-content-between align-items-center mb-1";
    var label = document.createElement("strong");
    label.className = "hocba-entry-no";
    head.appendChild(label);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-sm btn-outline-danger hocba-entry-remove";
    remove.textContent = "Xóa mục này";
    remove.addEventListener("click", function () {
      var next = item.nextElementSibling || item.previousElementSibling;
      item.parentNode.removeChild(item);
      renumber();
      var focus = next ? next.querySelector("input") : addButton;
      focus.focus();
    });
    head.appendChild(remove);
    item.appendChild(head);
    var fieldsBox = document.createElement("div");
    fieldsBox.className = "hocba-entry-grid";
    fieldsOf(kind).forEach(function (field) {
      counter += 1;
      var id = "entry-" + counter;
      var box = document.createElement("div");
      var caption = document.createElement("label");
      caption.htmlFor = id;
      caption.textContent = field.label + (field.required ? " *" : "");
      var input = document.createElement("input");
      input.id = id;
      input.className = "form-control form-control-sm";
      // A date is typed day/month/year: a browser's date box would speak its own language
      // ("mm/dd/yyyy" in an English browser).
      input.type = "text";
      input.name = field.name;
      input.value = field.date ? typedDay(values[field.name] || "") : values[field.name] || "";
      if (field.date) {
        input.placeholder = "ngày/tháng/năm";
        input.inputMode = "numeric";
        input.autocomplete = "off";
      }
      if (field.required) input.setAttribute("aria-required", "true");
      box.appendChild(caption);
      box.appendChild(input);
      fieldsBox.appendChild(box);
    });
    item.appendChild(fieldsBox);
    return item;
  }

  function renumber() {
    var items = list.querySelectorAll("li.hocba-entry");
    Array.prototype.forEach.call(items, function (item, i) {
      item.querySelector(".hocba-entry-no").textContent = "Mục " + (i + 1);
      item.querySelector(".hocba-entry-remove").setAttribute("aria-label", "Xóa mục " + (i + 1));
    });
    empty.hidden = items.length > 0;
  }

  function fill(entries) {
    list.textContent = "";
    entries.forEach(function (values, i) { list.appendChild(entryNode(current.kind, values, i)); });
    renumber();
  }

  function typed() {
    return Array.prototype.map.call(list.querySelectorAll("li.hocba-entry"), function (item) {
      var values = {};
      Array.prototype.forEach.call(item.querySelectorAll("input"), function (input) {
        values[input.name] = input.value.trim();
      });
      return values;
    });
  }

  function changed() { return current && JSON.stringify(typed()) !== current.loaded; }

  function clearErrors() {
    Array.prototype.forEach.call(list.querySelectorAll(".is-invalid"), function (input) {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    Array.prototype.forEach.call(list.querySelectorAll(".invalid-feedback"), function (note) {
      note.parentNode.removeChild(note);
    });
  }

  function markErrors(errors) {
    var items = list.querySelectorAll("li.hocba-entry");
    var first = null;
    Object.keys(errors).forEach(function (index) {
      var item = items[Number(index)];
      if (!item) return;
      Object.keys(errors[index]).forEach(function (name) {
        var input = item.querySelector('input[name="' + name + '"]');
        if (!input) return;
        var note = document.createElement("div");
        note.className = "invalid-feedback";
        note.id = input.id + "-error";
        note.textContent = errors[index][name];
        input.classList.add("is-invalid");
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", note.id);
        input.parentNode.appendChild(note);
        first = first || input;
      });
    });
    if (first) first.focus();
  }

  function open(button) {
    var row = rows[button.dataset.row];
    var kind = button.dataset.kind;
    var entries = ((row.lists || {})[kind] || {}).items || [];
    current = {
      row: button.dataset.row, kind: kind, name: button.dataset.name, opener: button,
      seen: entries, theirs: null, loaded: ""
    };
    title.textContent = KINDS[kind] + " – " + button.dataset.name;
    addButton.textContent = "+ Thêm mục " + KINDS[kind].toLowerCase();
    showAlert("");
    theirsButton.hidden = true;
    fill(entries);
    current.loaded = JSON.stringify(typed());
    dialog.showModal();
    var first = list.querySelector("input");
    (first || addButton).focus();
  }

  function close(force) {
    if (!force && changed() && !window.confirm("Danh sách có thay đổi chưa lưu. Đóng và bỏ các thay đổi này?")) {
      return false;
    }
    dialog.close();
    if (current && current.opener) current.opener.focus();
    current = null;
    return true;
  }

  function applyStored(answer) {
    var row = rows[current.row];
    row.lists = row.lists || {};
    row.lists[current.kind] = row.lists[current.kind] || { w: true };
    row.lists[current.kind].items = answer.entries;
    var output = grid.querySelector('output[data-row="' + current.row + '"][data-kind="' + current.kind + '"]');
    if (output) output.textContent = answer.display;
    var action = answer.entries.length ? "Sửa" : "Thêm";
    current.opener.textContent = action + "…";
    current.opener.setAttribute("aria-label", action + " " + KINDS[current.kind].toLowerCase() + " – " + current.name);
  }

  function save() {
    if (!current) return;
    clearErrors();
    saveButton.disabled = true;
    showAlert("Đang lưu…", "warn");
    var body = {
      book: data.book, row: current.row, kind: current.kind,
      entries: typed(), seen: current.theirs ? current.theirs.entries : current.seen
    };
    fetch(base + "/entries", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) throw new Error(json.error || ("Máy chủ trả lời lỗi " + response.status));
        return json;
      });
    }).then(function (answer) {
      if (answer.status === "saved") {
        applyStored(answer);
        var name = current.name;
        var kind = KINDS[current.kind];
        close(true);
        if (statusNode) {
          statusNode.textContent = "Đã lưu " + kind.toLowerCase() + " của " + name + ".";
          statusNode.className = "text-success";
        }
      } else if (answer.status === "invalid") {
        showAlert(answer.message, "error");
        markErrors(answer.errors || {});
      } else if (answer.status === "conflict") {
        current.theirs = { entries: answer.entries, display: answer.display };
        var who = answer.by + (answer.at ? " (" + answer.at + ")" : "");
        var now = answer.display ? "Danh sách hiện có: " + answer.display + "." : "Danh sách hiện đang trống.";
        showAlert(answer.message + ": " + who + ". " + now +
          " Bấm «Lưu danh sách» lần nữa để ghi danh sách của bạn đè lên, hoặc «Dùng danh sách mới».", "warn");
        theirsButton.hidden = false;
      } else {
        showAlert(answer.message || "Không lưu được", "error");
      }
    }).catch(function (error) {
      showAlert("Chưa lưu được: " + error.message + ". Những gì bạn đã nhập vẫn còn, hãy thử lại.", "error");
    }).then(function () { saveButton.disabled = false; });
  }

  grid.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.hocba-entries-edit") : null;
    if (button) open(button);
  });
  addButton.addEventListener("click", function () {
    var item = entryNode(current.kind, {}, 0);
    list.appendChild(item);
    renumber();
    item.querySelector("input").focus();
  });
  theirsButton.addEventListener("click", function () {
    var theirs = current.theirs;
    current.seen = theirs.entries;
    current.theirs = null;
    applyStored(theirs);
    fill(theirs.entries);
    current.loaded = JSON.stringify(typed());
    theirsButton.hidden = true;
    showAlert("Đã tải danh sách mới; bạn có thể sửa tiếp rồi lưu.", "ok");
    (list.querySelector("input") || addButton).focus();
  });
  cancelButton.addEventListener("click", function () { close(false); });
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();  // Esc: ask first when something would be lost
    close(false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();  // Enter in a field saves the list
    save();
  });
  window.addEventListener("beforeunload", function (event) {
    if (dialog.open && changed()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
