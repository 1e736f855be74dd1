/* The score book grid: keyboard entry, paste from spreadsheets, live checks, save with
 * per-cell answers and conflict resolution. No grading rule lives here: the server checks
 * every typed cell and computes results (one rule, one place). */
(function () {
  "use strict";
  var dataNode = document.getElementById("book-data");
  var grid = document.getElementById("grid");
  if (!dataNode || !grid) return;
  var data = JSON.parse(dataNode.textContent);
  var base = window.location.pathname.replace(/\/book\/?$/, "/book");
  var saveButton = document.getElementById("save");
  var undoButton = document.getElementById("undo-paste");
  var statusNode = document.getElementById("status");
  var conflictBox = document.getElementById("conflicts");
  var conflictList = document.getElementById("conflict-list");

  var rows = {};          // row id -> {cells: {col: {d, raw, w}}}
  var order = [];         // row ids, top to bottom
  var editableCols = [];  // column keys with an input, left to right
  data.rows.forEach(function (row) { rows[row.id] = row; order.push(row.id); });
  data.columns.forEach(function (c) { if (c.editable) editableCols.push(c.key); });

  var errors = {};        // "row|col" -> message (from the server's check)
  var conflicts = {};     // "row|col" -> the conflict answer
  var timers = {};        // row id -> pending check
  var checksSent = {};    // row id -> how many checks of it were sent (the last one counts)
  var lastPaste = null;   // [{input, before}] for one undo
  var saving = false;
  var notice = "";        // what the last paste, undo or save did, shown before the summary
  var noticeKind = "";

  function keyOf(row, col) { return row + "|" + col; }
  function inputAt(row, col) {
    return grid.querySelector('input.hocba-cell[data-row="' + row + '"][data-col="' + col + '"]');
  }
  function cellOf(input) { return rows[input.dataset.row].cells[input.dataset.col]; }
  function isDirty(input) { return !input.readOnly && input.value.trim() !== cellOf(input).d; }
  function allInputs() { return Array.prototype.slice.call(grid.querySelectorAll("input.hocba-cell")); }
  function dirtyInputs() { return allInputs().filter(isDirty); }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)starlette_admin_csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function post(path, body) {
    return fetch(base + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          throw new Error(json.error || ("Máy chủ trả lời lỗi " + response.status));
        }
        return json;
      });
    });
  }

  function setStatus(text, kind) {
    if (!statusNode) return;
    statusNode.textContent = text;
    statusNode.className = kind === "error" ? "text-danger" : kind === "ok" ? "text-success" : "text-secondary";
  }

  function paint(input) {
    var key = keyOf(input.dataset.row, input.dataset.col);
    var td = input.parentNode;
    var message = errors[key];
    td.classList.toggle("hocba-dirty", isDirty(input));
    td.classList.toggle("hocba-invalid", !!message);
    td.classList.toggle("hocba-conflict", !!conflicts[key]);
    input.setAttribute("aria-invalid", message ? "true" : "false");
    var note = td.querySelector(".hocba-cell-error");
    if (message) {
      if (!note) {
        note = document.createElement("div");
        note.className = "hocba-cell-error";
        td.appendChild(note);
      }
      note.textContent = message;
      input.title = message;
    } else {
      if (note) td.removeChild(note);
      if (!input.readOnly) input.removeAttribute("title");
    }
  }

  function refreshSummary() {
    var dirty = dirtyInputs();
    var invalid = dirty.filter(function (i) { return errors[keyOf(i.dataset.row, i.dataset.col)]; });
    if (saveButton) saveButton.disabled = saving || dirty.length === invalid.length;
    if (saving) return;
    var lead = notice ? notice + " " : "";
    if (!dirty.length) { setStatus(lead + (notice ? "" : "Không có thay đổi chưa lưu."), noticeKind); return; }
    var text = dirty.length + " ô đã sửa, chưa lưu";
    if (invalid.length) text += "; " + invalid.length + " ô có lỗi sẽ không được lưu";
    setStatus(lead + text + ".", invalid.length ? "error" : noticeKind);
  }

  /* -- live checks ------------------------------------------------------------------------ */
  function scheduleCheck(rowId) {
    clearTimeout(timers[rowId]);
    timers[rowId] = setTimeout(function () { checkRows([rowId]); }, 250);
  }

  function typedCells(rowId) {
    var cells = {};
    editableCols.forEach(function (col) {
      var input = inputAt(rowId, col);
      if (input && isDirty(input)) cells[col] = input.value;
    });
    return cells;
  }

  function checkRows(rowIds) {
    var body = { book: data.book, rows: {} };
    var sent = {};
    rowIds.forEach(function (id) {
      body.rows[id] = typedCells(id);
      sent[id] = checksSent[id] = (checksSent[id] || 0) + 1;
    });
    return post("/check", body).then(function (answer) {
      // A row's answer is applied only if no later check of that row was sent: answers may
      // come back out of order, and an older one would undo what a newer one marked.
      Object.keys(answer.rows || {}).forEach(function (id) {
        if (sent[id] === checksSent[id]) applyCheck(id, answer.rows[id]);
      });
      refreshSummary();
    }).catch(function (error) { setStatus(error.message, "error"); });
  }

  function applyCheck(rowId, live) {
    if (live.problem) { notice = live.problem; noticeKind = "error"; }
    editableCols.forEach(function (col) {
      var input = inputAt(rowId, col);
      if (!input) return;
      var key = keyOf(rowId, col);
      if (live.errors && live.errors[col] && isDirty(input)) errors[key] = live.errors[col];
      else delete errors[key];
      paint(input);
    });
    var tr = grid.querySelector('tr[data-row="' + rowId + '"]');
    Object.keys(live.computed || {}).forEach(function (col) {
      var out = tr && tr.querySelector('td[data-col="' + col + '"] output');
      if (out) out.textContent = live.computed[col];
    });
  }

  /* -- keyboard ---------------------------------------------------------------------------- */
  function move(input, dRow, dCol) {
    var r = order.indexOf(input.dataset.row) + dRow;
    var c = editableCols.indexOf(input.dataset.col) + dCol;
    if (r < 0 || r >= order.length || c < 0 || c >= editableCols.length) return;
    var next = inputAt(order[r], editableCols[c]);
    if (next) { next.focus(); next.select(); }
  }

  grid.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("hocba-cell")) return;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    if (event.key === "Enter") { event.preventDefault(); move(input, event.shiftKey ? -1 : 1, 0); }
    else if (event.key === "ArrowDown") { event.preventDefault(); move(input, 1, 0); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(input, -1, 0); }
    else if (event.key === "ArrowRight" && atEnd) { event.preventDefault(); move(input, 0, 1); }
    else if (event.key === "ArrowLeft" && atStart) { event.preventDefault(); move(input, 0, -1); }
    else if (event.key === "Escape") {
      input.value = cellOf(input).d;
      delete errors[keyOf(input.dataset.row, input.dataset.col)];
      paint(input); refreshSummary();
    }
  });

  // As in a spreadsheet, typing into a cell just reached replaces what it holds.
  var justFocused = null;
  grid.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("hocba-cell")) return;
    input.select();
    justFocused = input;
  });
  grid.addEventListener("mouseup", function (event) {
    if (event.target === justFocused) { event.preventDefault(); }
    justFocused = null;
  });

  grid.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList.contains("hocba-cell")) return;
    notice = ""; noticeKind = "";
    paint(input);
    scheduleCheck(input.dataset.row);
    refreshSummary();
  });

  /* -- paste from a spreadsheet ------------------------------------------------------------- */
  grid.addEventListener("paste", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("hocba-cell")) return;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\r\n]/.test(text)) return; // one value: the browser's own paste
    event.preventDefault();
    var lines = text.replace(/\r\n?/g, "\n").split("\n");
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    var r0 = order.indexOf(input.dataset.row), c0 = editableCols.indexOf(input.dataset.col);
    var undo = [], touched = {}, skipped = 0, outside = 0;
    lines.forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var r = r0 + i, c = c0 + j;
        if (r >= order.length || c >= editableCols.length) { outside += 1; return; }
        var target = inputAt(order[r], editableCols[c]);
        if (!target || target.readOnly) { skipped += 1; return; }
        undo.push({ input: target, before: target.value });
        target.value = value.trim();
        touched[order[r]] = true;
        paint(target);
      });
    });
    lastPaste = undo;
    if (undoButton) undoButton.hidden = !undo.length;
    var ids = Object.keys(touched);
    if (ids.length) checkRows(ids);
    noticeKind = "";
    notice = "Đã dán " + undo.length + " ô";
    if (skipped) notice += "; bỏ qua " + skipped + " ô chỉ xem";
    if (outside) notice += "; " + outside + " ô nằm ngoài bảng";
    notice += ".";
    refreshSummary();
  });

  if (undoButton) undoButton.addEventListener("click", function () {
    if (!lastPaste) return;
    var touched = {};
    lastPaste.forEach(function (entry) {
      entry.input.value = entry.before;
      touched[entry.input.dataset.row] = true;
      delete errors[keyOf(entry.input.dataset.row, entry.input.dataset.col)];
      paint(entry.input);
    });
    lastPaste = null;
    undoButton.hidden = true;
    notice = "Đã hoàn tác lần dán."; noticeKind = "";
    checkRows(Object.keys(touched));
    refreshSummary();
  });

  /* -- save ------------------------------------------------------------------------------------ */
  function save() {
    var sent = dirtyInputs().filter(function (i) { return !errors[keyOf(i.dataset.row, i.dataset.col)]; });
    if (!sent.length || saving) return;
    var edits = sent.map(function (input) {
      return { row: input.dataset.row, col: input.dataset.col, text: input.value, seen: cellOf(input).raw };
    });
    var texts = sent.map(function (input) { return input.value; });
    saving = true;
    notice = ""; noticeKind = "";
    saveButton.disabled = true;
    setStatus("Đang lưu " + edits.length + " ô…");
    post("/save", { book: data.book, edits: edits }).then(function (answer) {
      saving = false;
      lastPaste = null;  // what was pasted is saved now: nothing left to undo
      if (undoButton) undoButton.hidden = true;
      var conflicted = {};
      (answer.cells || []).forEach(function (c) {
        if (c.status === "conflict") conflicted[keyOf(c.record_id, c.column)] = true;
      });
      applyRows(answer.rows || {}, sent, texts, conflicted);
      (answer.cells || []).forEach(applyAnswer);
      var counts = answer.counts || {};
      var text = "Đã lưu " + (counts.saved || 0) + " ô.";
      if (counts.refused) text += " " + counts.refused + " ô bị từ chối (xem ô tô đỏ).";
      if (counts.conflict) text += " " + counts.conflict + " ô xung đột cần xử lý.";
      notice = text;
      noticeKind = counts.refused || counts.conflict ? "error" : "ok";
      refreshSummary();
    }).catch(function (error) {
      saving = false;
      // Kept as the notice, so a live check answering later does not wipe it.
      notice = "Chưa lưu được: " + error.message + ". Các ô đã nhập vẫn còn nguyên, hãy bấm Lưu lại.";
      noticeKind = "error";
      refreshSummary();
    });
  }

  function applyRows(fresh, sent, texts, conflicted) {
    var typedNow = {};
    sent.forEach(function (input, i) { typedNow[keyOf(input.dataset.row, input.dataset.col)] = texts[i]; });
    Object.keys(fresh).forEach(function (rowId) {
      var tr = grid.querySelector('tr[data-row="' + rowId + '"]');
      Object.keys(fresh[rowId]).forEach(function (col) {
        var value = fresh[rowId][col];
        var cell = rows[rowId].cells[col];
        var input = inputAt(rowId, col);
        // A conflicting cell keeps what the teacher typed until they resolve it.
        if (conflicted[keyOf(rowId, col)]) return;
        if (input) {
          var key = keyOf(rowId, col);
          var untouched = !isDirty(input) || (key in typedNow && input.value === typedNow[key]);
          cell.d = value.display; cell.raw = value.raw;
          if (untouched) { input.value = value.display; delete errors[key]; }
          paint(input);
        } else if (tr) {
          var out = tr.querySelector('td[data-col="' + col + '"] output');
          if (out) out.textContent = value.display;
          cell.d = value.display; cell.raw = value.raw;
        }
      });
    });
  }

  function applyAnswer(answer) {
    var input = inputAt(answer.record_id, answer.column);
    if (!input) return;
    var key = keyOf(answer.record_id, answer.column);
    delete conflicts[key];
    if (answer.status === "refused") errors[key] = answer.message;
    else if (answer.status === "conflict") { conflicts[key] = answer; showConflict(input, answer); }
    else delete errors[key];
    paint(input);
  }

  function showConflict(input, answer) {
    conflictBox.hidden = false;
    var row = input.closest("tr").querySelector(".hocba-name").firstChild.textContent.trim();
    var column = grid.querySelector('th[data-col="' + answer.column + '"]').textContent;
    var item = document.createElement("li");
    item.className = "hocba-conflict-item mb-2";
    item.dataset.key = keyOf(answer.record_id, answer.column);
    var what = document.createElement("span");
    what.textContent = row + " – " + column + ": bạn nhập «" + input.value + "», " +
      answer.by + (answer.at ? " đã sửa lúc " + answer.at : " đã sửa") + " thành «" + answer.display + "». ";
    var mine = document.createElement("button");
    mine.type = "button"; mine.className = "btn btn-sm btn-outline-primary me-1 hocba-keep-mine";
    mine.textContent = "Giữ giá trị của tôi";
    var theirs = document.createElement("button");
    theirs.type = "button"; theirs.className = "btn btn-sm btn-outline-secondary hocba-take-theirs";
    theirs.textContent = "Dùng giá trị mới";
    mine.addEventListener("click", function () { resolve(input, answer, item, false); });
    theirs.addEventListener("click", function () { resolve(input, answer, item, true); });
    var old = conflictList.querySelector('[data-key="' + item.dataset.key + '"]');
    if (old) conflictList.removeChild(old);
    item.appendChild(what); item.appendChild(mine); item.appendChild(theirs);
    conflictList.appendChild(item);
    conflictBox.scrollIntoView({ block: "nearest" });
  }

  function resolve(input, answer, item, takeTheirs) {
    var cell = cellOf(input);
    var key = keyOf(answer.record_id, answer.column);
    cell.raw = answer.raw;  // the value now stored: what the next save expects to replace
    if (takeTheirs) { cell.d = answer.display; input.value = answer.display; }
    delete conflicts[key];
    delete errors[key];
    conflictList.removeChild(item);
    if (!conflictList.children.length) conflictBox.hidden = true;
    paint(input);
    notice = takeTheirs ? "Đã dùng giá trị mới." : "Sẽ ghi giá trị của bạn ở lần bấm Lưu tiếp theo.";
    noticeKind = "";
    scheduleCheck(answer.record_id);
    refreshSummary();
  }

  // Choosing a filled sheet shows its preview at once (nothing is written before "Áp dụng").
  var excelFile = document.getElementById("excel-file");
  if (excelFile) excelFile.addEventListener("change", function () {
    if (!excelFile.files.length) return;
    if (dirtyInputs().length && !window.confirm("Bạn có ô đã sửa chưa lưu trên trang này. Vẫn tải tệp lên để xem trước?")) {
      excelFile.value = "";
      return;
    }
    window.removeEventListener("beforeunload", guardLeaving);
    excelFile.form.submit();
  });

  if (saveButton) saveButton.addEventListener("click", save);
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") { event.preventDefault(); save(); }
  });
  function guardLeaving(event) {
    if (dirtyInputs().length) { event.preventDefault(); event.returnValue = ""; }
  }
  window.addEventListener("beforeunload", guardLeaving);
  refreshSummary();
})();
