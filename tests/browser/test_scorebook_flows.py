"""Score entry in a real browser: a subject teacher types a column with Enter, pastes a block
copied from a spreadsheet, saves, meets a colleague's concurrent change as a conflict and
resolves it; term I (locked in the demo school) is read-only; a homeroom teacher enters conduct
and absences. The cast is read from the seeded database."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from bson.decimal128 import Decimal128
from openpyxl import load_workbook

from app.scorebook.excel import FIRST_COLUMN, FIRST_ROW, KEYS_ROW
from app.scorebook.names import class_list_key
from seed.catalogue import CURRENT_YEAR
from tests.browser.support import Pages, School

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None

SUBJECT = "TOAN"


@dataclass(frozen=True)
class Cast:
    teacher: str  # teaches SUBJECT in klass
    colleague: str  # another subject teacher, given the same class × subject for the test
    homeroom: str  # the homeroom teacher of klass
    klass: str
    pupils: tuple[str, ...]  # ids of klass's pupils in class-list order


@pytest.fixture(scope="module")
def cast(school: School) -> Cast:
    users = list(school.db.users.find({}, sort=[("username", 1)]))
    teacher = next(u for u in users if any(t["subject"] == SUBJECT for t in u.get("teaching", [])))
    klass = next(t["class_name"] for t in teacher["teaching"] if t["subject"] == SUBJECT)
    colleague = next(
        u for u in users if "gvbm" in u["roles"] and u["username"] != teacher["username"]
    )
    school.db.users.update_one(
        {"_id": colleague["_id"]},
        {"$push": {"teaching": {"class_name": klass, "subject": SUBJECT}}},
    )
    homeroom = next(u for u in users if klass in u.get("homeroom_classes", []))
    pupils = list(
        school.db.students.find(
            {f"years.{CURRENT_YEAR}.class_name": klass}, {"profile.full_name": 1}
        )
    )
    pupils.sort(key=lambda p: class_list_key(p["profile"]["full_name"]))
    return Cast(
        teacher["username"],
        colleague["username"],
        homeroom["username"],
        klass,
        tuple(str(p["_id"]) for p in pupils),
    )


def stored(school: School, pupil_id: str, path: str) -> Any:
    doc: Any = school.db.students.find_one({"_id": ObjectId(pupil_id)})
    for part in f"years.{CURRENT_YEAR}.{path}".split("."):
        doc = doc[int(part)] if isinstance(doc, list) else (doc or {}).get(part)
    return doc.to_decimal() if isinstance(doc, Decimal128) else doc


def cell(page: Any, pupil_id: str, column: str) -> Any:
    return page.locator(f'input.hocba-cell[data-row="{pupil_id}"][data-col="{column}"]')


async def open_book(page: Any, book: str, term: str) -> None:
    await page.get_by_role("link", name="Lớp của tôi").first.click()
    await page.wait_for_url(re.compile(r"/admin/my-classes$"))
    await page.locator(f'tr[data-book="{book}"] td[data-term="{term}"] a').click()
    await page.wait_for_url(re.compile(r"/admin/my-classes/book\?"))


async def save_and_wait(page: Any) -> str:
    await page.get_by_role("button", name="Lưu", exact=True).click()
    status = page.locator("#status")
    await expect(status).to_contain_text("Đã lưu")
    text: str = await status.inner_text()
    return text


async def test_a_subject_teacher_types_pastes_saves_and_resolves_a_conflict(
    pages: Pages, school: School, cast: Cast
) -> None:
    page = await pages.login(cast.teacher)
    await page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=school.base_url
    )
    book = f"subject-{cast.klass}-{SUBJECT}"
    await page.get_by_role("link", name="Lớp của tôi").first.click()
    await expect(page.locator(f'tr[data-book="{book}"]')).to_contain_text("Đã khóa sổ")
    await pages.shot(page, "my-classes")

    # Term I is locked in the demo school: read-only, with the reason.
    await open_book(page, book, "hk1")
    await expect(page.locator("#book-locked")).to_contain_text("đã khóa sổ")
    await expect(cell(page, cast.pupils[0], "tx1")).to_have_attribute("readonly", "")
    assert await page.locator("#save").count() == 0
    await pages.shot(page, "term-1-locked")

    # Term II: type a column with Enter.
    await page.get_by_role("link", name="Học kỳ II").click()
    await page.wait_for_url(re.compile(r"term=hk2"))
    first = cast.pupils[:4]
    await cell(page, first[0], "tx1").click()
    await cell(page, first[0], "tx1").select_text()
    for value in ("8,5", "7", "9.5", "6"):
        await page.keyboard.type(value)
        await page.keyboard.press("Enter")
    await expect(cell(page, first[3], "tx1")).to_have_value("6")
    focused = await page.evaluate("document.activeElement.dataset.row")
    assert focused == cast.pupils[4]  # Enter went down, a row at a time
    where = "[document.activeElement.dataset.row, document.activeElement.dataset.col]"
    await page.keyboard.press("ArrowUp")
    assert await page.evaluate(where) == [cast.pupils[3], "tx1"]
    await page.keyboard.press("End")  # with the caret at the end of the text, right moves on
    await page.keyboard.press("ArrowRight")
    assert await page.evaluate(where) == [cast.pupils[3], "tx2"]
    await page.keyboard.press("Tab")
    assert await page.evaluate(where) == [cast.pupils[3], "tx3"]

    # A bad value is marked with the engine's message and not saved.
    await cell(page, first[1], "tx2").fill("12")
    await expect(page.locator(f'tr[data-row="{first[1]}"] .hocba-cell-error')).to_have_text(
        "Điểm phải nằm trong khoảng 0 đến 10"
    )

    # Paste a block copied from a spreadsheet (two columns, three rows) at GK of row 1.
    await page.evaluate("text => navigator.clipboard.writeText(text)", "7\t8\n6,5\t7\n9\t10\n")
    await cell(page, first[0], "gk").click()
    await page.keyboard.press("Control+V")
    await expect(cell(page, first[2], "ck")).to_have_value("10")
    await expect(page.locator("#status")).to_contain_text("Đã dán 6 ô")
    await pages.shot(page, "typed-and-pasted")

    text = await save_and_wait(page)
    assert "bị từ chối" not in text
    assert "1 ô có lỗi sẽ không được lưu" in text
    assert stored(school, first[0], f"subjects.{SUBJECT}.hk2.tx.0") == Decimal("8.5")
    assert stored(school, first[2], f"subjects.{SUBJECT}.hk2.tx.0") == Decimal("9.5")
    assert stored(school, first[1], f"subjects.{SUBJECT}.hk2.gk") == Decimal("6.5")
    assert stored(school, first[2], f"subjects.{SUBJECT}.hk2.ck") == Decimal(10)
    assert stored(school, first[1], f"subjects.{SUBJECT}.hk2.tx.1") != Decimal(12)
    await expect(cell(page, first[0], "tx1")).to_have_value("8,5")
    await pages.shot(page, "saved")

    # A colleague changes a cell this page still shows with its old value.
    other = await pages.login(cast.colleague)
    await open_book(other, book, "hk2")
    await cell(other, first[3], "ck").fill("5")
    await save_and_wait(other)
    await cell(page, first[3], "ck").fill("9")
    await cell(page, first[3], "comment").fill("Tiến bộ rõ")
    await page.get_by_role("button", name="Lưu", exact=True).click()
    conflicts = page.locator("#conflicts")
    await expect(conflicts).to_be_visible()
    await expect(conflicts).to_contain_text("bạn nhập «9»")
    await expect(conflicts).to_contain_text("thành «5»")
    await expect(cell(page, first[3], "ck")).to_have_value("9")
    # The pupil's other cell did not conflict: it is saved.
    assert stored(school, first[3], f"subjects.{SUBJECT}.hk2.comment") == "Tiến bộ rõ"
    await pages.shot(page, "conflict")
    assert stored(school, first[3], f"subjects.{SUBJECT}.hk2.ck") == Decimal(5)
    await conflicts.get_by_role("button", name="Giữ giá trị của tôi").click()
    await expect(conflicts).to_be_hidden()
    await save_and_wait(page)
    assert stored(school, first[3], f"subjects.{SUBJECT}.hk2.ck") == Decimal(9)
    await pages.shot(page, "conflict-resolved")


async def test_a_homeroom_teacher_enters_conduct_and_absences(
    pages: Pages, school: School, cast: Cast
) -> None:
    page = await pages.login(cast.homeroom)
    await open_book(page, f"homeroom-{cast.klass}-", "hk2")
    first = cast.pupils[:3]
    await cell(page, first[0], "conduct").click()
    for value in ("t", "k", "đ"):
        await page.keyboard.type(value)
        await page.keyboard.press("Enter")
    await cell(page, first[0], "excused").click()
    await page.keyboard.type("2")
    await page.keyboard.press("Tab")
    await page.keyboard.type("1")
    await pages.shot(page, "typed")
    await save_and_wait(page)
    await expect(cell(page, first[0], "conduct")).to_have_value("Tốt")
    assert stored(school, first[0], "conduct.hk2") == "T"
    assert stored(school, first[1], "conduct.hk2") == "K"
    assert stored(school, first[2], "conduct.hk2") == "Đ"
    assert stored(school, first[0], "absences.hk2.excused") == 2
    assert stored(school, first[0], "absences.hk2.unexcused") == 1
    await pages.shot(page, "saved")


async def test_unsaved_edits_survive_a_failed_save_a_paste_can_be_undone_and_leaving_asks(
    pages: Pages, school: School, cast: Cast
) -> None:
    page = await pages.login(cast.teacher)
    await page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=school.base_url
    )
    await open_book(page, f"subject-{cast.klass}-{SUBJECT}", "hk2")
    row = cast.pupils[5]
    before = await cell(page, row, "tx3").input_value()

    # A paste, undone: the cells hold what they held before.
    await page.evaluate("text => navigator.clipboard.writeText(text)", "4\t5\n")
    await cell(page, row, "tx3").click()
    await page.keyboard.press("Control+V")
    await expect(cell(page, row, "tx4")).to_have_value("5")
    await page.get_by_role("button", name="Hoàn tác lần dán").click()
    await expect(cell(page, row, "tx3")).to_have_value(before)

    # The server cannot be reached: nothing typed is lost.
    await cell(page, row, "tx3").fill("3")
    await page.route("**/book/save", lambda route: route.abort())
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await expect(page.locator("#status")).to_contain_text("Chưa lưu được")
    await expect(cell(page, row, "tx3")).to_have_value("3")
    await pages.shot(page, "failed-save")
    await page.unroute("**/book/save")

    # Leaving with unsaved edits asks first.
    asked: list[str] = []

    async def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        await dialog.dismiss()

    page.on("dialog", answer)
    await page.close(run_before_unload=True)
    for _ in range(50):
        if asked:
            break
        await asyncio.sleep(0.1)
    assert asked == ["beforeunload"]


async def test_a_late_check_answer_does_not_undo_a_newer_one(
    pages: Pages, school: School, cast: Cast
) -> None:
    """Checks of a row may come back out of order: an older answer (the cell was still fine)
    must not clear what a newer one marked (the value typed since is off the scale)."""
    page = await pages.login(cast.teacher)
    await open_book(page, f"subject-{cast.klass}-{SUBJECT}", "hk2")
    row = cast.pupils[6]
    marker = page.locator(f'tr[data-row="{row}"] .hocba-cell-error')
    release = asyncio.Event()
    checks: list[Any] = []

    async def hold_the_first(route: Any) -> None:
        checks.append(route)
        if len(checks) == 1:
            await release.wait()
        await route.continue_()

    await page.route("**/book/check", hold_the_first)
    await cell(page, row, "tx2").fill("7")
    for _ in range(50):
        if checks:
            break
        await asyncio.sleep(0.1)
    assert len(checks) == 1  # the check of "7" is on its way, held
    await cell(page, row, "tx2").fill("12")
    await expect(marker).to_have_text("Điểm phải nằm trong khoảng 0 đến 10")
    async with page.expect_response("**/book/check") as late:
        release.set()
    await late.value
    await page.wait_for_timeout(300)  # the page has read the late answer
    await expect(marker).to_have_text("Điểm phải nằm trong khoảng 0 đến 10")
    await page.unroute("**/book/check")


async def test_the_book_reads_the_same_with_an_english_browser(
    pages: Pages, school: School, cast: Cast
) -> None:
    page = await pages.new_page()
    await page.context.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    await page.goto(school.url("/login"))
    await page.fill("input[name=username]", cast.teacher)
    await page.fill("input[name=password]", school.passwords[cast.teacher])
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)
    await page.goto(school.url("/admin/"))
    await page.wait_for_url(re.compile(r"/admin/my-classes$"))
    await page.locator(
        f'tr[data-book="subject-{cast.klass}-{SUBJECT}"] td[data-term="hk2"] a'
    ).click()
    heading = page.get_by_role("heading", name=f"Sổ điểm môn Toán lớp {cast.klass}")
    await expect(heading).to_be_visible()
    await expect(page.locator("#grid thead")).to_contain_text("ĐTBmhk")
    await expect(page.get_by_role("button", name="Lưu", exact=True)).to_be_visible()
    await pages.shot(page, "english-browser")


def entries_button(page: Any, pupil_id: str, kind: str) -> Any:
    return page.locator(f'button.hocba-entries-edit[data-row="{pupil_id}"][data-kind="{kind}"]')


def entries_cell(page: Any, pupil_id: str, kind: str) -> Any:
    return page.locator(f'output[data-row="{pupil_id}"][data-kind="{kind}"]')


def stored_list(school: School, pupil_id: str, kind: str) -> list[dict[str, Any]]:
    found = stored(school, pupil_id, kind)
    return list(found or [])


async def test_a_homeroom_teacher_records_awards_and_discipline_in_a_dialog(
    pages: Pages, school: School, cast: Cast
) -> None:
    page = await pages.login(cast.homeroom)
    await open_book(page, f"homeroom-{cast.klass}-", "hk2")
    pupil = cast.pupils[6]
    before = stored_list(school, pupil, "awards")
    dialog = page.locator("#entries-dialog")

    # Add an award with the keyboard: the dialog opens on the list, a new entry takes focus.
    await entries_button(page, pupil, "awards").focus()
    await page.keyboard.press("Enter")
    await expect(dialog).to_be_visible()
    await page.get_by_role("button", name="+ Thêm mục khen thưởng").click()
    items = dialog.locator("li.hocba-entry")
    await expect(items).to_have_count(len(before) + 1)
    added = items.last
    await expect(added.get_by_label("Khen thưởng *")).to_be_focused()
    await page.keyboard.type("Học sinh tiêu biểu")
    await page.keyboard.press("Tab")
    await page.keyboard.type("cấp trường")
    # Typed day/month/year, not in a browser date box (which shows "mm/dd/yyyy" in English).
    await expect(added.get_by_label("Ngày quyết định")).to_have_attribute(
        "placeholder", "ngày/tháng/năm"
    )
    await added.get_by_label("Ngày quyết định").fill("15/01/2026")
    await added.get_by_label("Số quyết định").fill("15/QĐ-THCS")
    await pages.shot(page, "award-dialog")
    await added.get_by_label("Số quyết định").press("Enter")  # Enter saves the list
    await expect(dialog).to_be_hidden()
    await expect(page.locator("#status")).to_contain_text("Đã lưu khen thưởng của")
    await expect(entries_cell(page, pupil, "awards")).to_contain_text(
        "Học sinh tiêu biểu (cấp trường)"
    )
    awards = stored_list(school, pupil, "awards")
    assert len(awards) == len(before) + 1
    assert awards[-1]["title"] == "Học sinh tiêu biểu"
    assert awards[-1]["decision_no"] == "15/QĐ-THCS"
    assert awards[-1]["decided_on"].date().isoformat() == "2026-01-15"
    await entries_button(page, pupil, "awards").click()  # shown again the way it was typed
    await expect(
        dialog.locator("li.hocba-entry").last.get_by_label("Ngày quyết định")
    ).to_have_value("15/01/2026")
    await page.get_by_role("button", name="Đóng").click()
    await expect(dialog).to_be_hidden()

    # A discipline entry without its form is refused field by field; nothing typed is lost.
    await entries_button(page, pupil, "discipline").click()
    await page.get_by_role("button", name="+ Thêm mục kỷ luật").click()
    entry = dialog.locator("li.hocba-entry").last
    await entry.get_by_label("Lý do").fill("Nghỉ học không phép 3 buổi")
    await page.get_by_role("button", name="Lưu danh sách").click()
    form_field = entry.get_by_label("Hình thức kỷ luật *")
    await expect(form_field).to_have_attribute("aria-invalid", "true")
    await expect(entry.locator(".invalid-feedback")).to_have_text("Không được để trống")
    await expect(dialog.locator("#entries-alert")).to_contain_text("Có mục chưa hợp lệ")
    await expect(entry.get_by_label("Lý do")).to_have_value("Nghỉ học không phép 3 buổi")
    await pages.shot(page, "discipline-invalid")
    await form_field.fill("Khiển trách")
    await page.get_by_role("button", name="Lưu danh sách").click()
    await expect(dialog).to_be_hidden()
    await expect(entries_cell(page, pupil, "discipline")).to_contain_text(
        "Khiển trách: Nghỉ học không phép 3 buổi"
    )
    assert stored_list(school, pupil, "discipline")[-1]["form"] == "Khiển trách"

    # Esc with unsaved changes asks first; removing the new award and saving removes it.
    await entries_button(page, pupil, "awards").click()
    await dialog.get_by_role("button", name=f"Xóa mục {len(before) + 1}").click()
    asked: list[str] = []

    async def dismiss(prompt: Any) -> None:
        asked.append(prompt.message)
        await prompt.dismiss()

    page.once("dialog", dismiss)
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_visible()
    assert len(asked) == 1
    assert "chưa lưu" in asked[0]
    await page.get_by_role("button", name="Lưu danh sách").click()
    await expect(dialog).to_be_hidden()
    assert stored_list(school, pupil, "awards") == before
    await pages.shot(page, "awards-saved")


def fill_sheet(source: Path, target: Path, values: dict[tuple[str, str], Any]) -> list[int]:
    """Type ``values`` ((pupil code, column key) -> value) into a downloaded book sheet, as a
    teacher would in a spreadsheet program; the sheet row of each pupil, in order."""
    workbook = load_workbook(source)
    sheet = workbook.active
    assert sheet is not None
    keys = {sheet.cell(KEYS_ROW, c).value: c for c in range(FIRST_COLUMN, sheet.max_column + 1)}
    lines = {sheet.cell(r, 2).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}
    for (code, column), value in values.items():
        sheet.cell(lines[code], keys[column], value)
    workbook.save(target)
    return [lines[code] for code, _ in values]


async def upload_and_preview(page: Any, sheet: Path) -> None:
    await page.locator("#excel-file").set_input_files(str(sheet))  # chosen: previewed at once
    await page.wait_for_url(re.compile(r"/book/import$"))
    await expect(page.locator("#import-preview")).to_be_visible()


async def test_a_book_goes_out_to_excel_and_comes_back_through_a_preview(
    pages: Pages, school: School, cast: Cast, tmp_path: Path
) -> None:
    page = await pages.login(cast.teacher)
    await open_book(page, f"subject-{cast.klass}-{SUBJECT}", "hk2")
    pupils = cast.pupils[7:10]
    codes = [school.db.students.find_one({"_id": ObjectId(p)})["code"] for p in pupils]
    before = await cell(page, pupils[0], "tx2").input_value()
    before_gk = await cell(page, pupils[1], "gk").input_value()
    # Values the cells do not hold yet (the demo school drew its own).
    new_tx2 = "2,5" if before != "2,5" else "3,5"
    new_gk = "1,5" if before_gk != "1,5" else "4,5"

    async with page.expect_download() as started:
        await page.get_by_role("link", name="Tải về Excel").click()
    download = await started.value
    assert download.suggested_filename.endswith(".xlsx")
    original = tmp_path / download.suggested_filename
    await download.save_as(str(original))
    header = load_workbook(original).active
    assert header is not None
    assert header["A2"].value == f"Sổ điểm môn Toán lớp {cast.klass}"
    assert header["A3"].value == f"Học kỳ II, năm học {CURRENT_YEAR}"

    filled = tmp_path / "filled.xlsx"
    lines = fill_sheet(
        original,
        filled,
        {
            (codes[0], "tx2"): float(new_tx2.replace(",", ".")),  # typed as a number
            (codes[1], "gk"): new_gk,  # typed as text, with a decimal comma
            (codes[2], "gk"): 11,  # off the scale
        },
    )
    await upload_and_preview(page, filled)
    changes = page.locator("#import-changes")
    first, second = changes.locator("tbody tr").nth(0), changes.locator("tbody tr").nth(1)
    await expect(changes.locator("tbody tr")).to_have_count(2)
    # Each change: its sheet row, the pupil, the column, old → new.
    await expect(first.locator("td")).to_have_text(
        [str(lines[0]), re.compile(".+"), "TX2", before or "(trống)", new_tx2]
    )
    await expect(second.locator("td")).to_have_text(
        [str(lines[1]), re.compile(".+"), "GK", before_gk or "(trống)", new_gk]
    )
    problems = page.locator("#import-problems tbody tr")
    await expect(problems).to_have_count(1)
    await expect(problems.locator("td")).to_have_text(
        [str(lines[2]), "cột H (GK)", "Điểm phải nằm trong khoảng 0 đến 10"]
    )
    assert stored(school, pupils[1], f"subjects.{SUBJECT}.hk2.gk") != Decimal(
        new_gk.replace(",", ".")
    )
    await pages.shot(page, "preview-vi")

    # The same preview in a browser that asks for English reads the same (Vietnamese app).
    english = await pages.new_page()
    await english.context.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    await english.goto(school.url("/login"))
    await english.fill("input[name=username]", cast.teacher)
    await english.fill("input[name=password]", school.passwords[cast.teacher])
    await english.click("button[type=submit]")
    await english.wait_for_url(lambda url: "/login" not in url)
    await english.goto(school.url("/admin/"))
    await open_book(english, f"subject-{cast.klass}-{SUBJECT}", "hk2")
    await upload_and_preview(english, filled)
    await expect(english.locator("#import-problems")).to_contain_text("cột H (GK)")
    await expect(english.locator("#import-changes tbody tr")).to_have_count(2)
    await pages.shot(english, "preview-en")

    # With errors in the file nothing is applied unless only the valid rows are asked for.
    await page.get_by_role("button", name="Áp dụng").click()
    await expect(page.locator("#import-refused")).to_contain_text("chưa áp dụng gì")
    await pages.shot(page, "refused")
    assert stored(school, pupils[1], f"subjects.{SUBJECT}.hk2.gk") == (
        Decimal(before_gk.replace(",", ".")) if before_gk else None
    )
    # The page that refuses offers the choice (Back would have to send the upload again).
    await page.get_by_label(re.compile("Chỉ áp dụng .* ô ở các dòng không có lỗi")).check()
    await page.get_by_role("button", name="Áp dụng").click()
    await expect(page.locator("#import-result")).to_contain_text("Đã lưu 2 ô")
    await pages.shot(page, "applied")
    assert stored(school, pupils[0], f"subjects.{SUBJECT}.hk2.tx.1") == Decimal(
        new_tx2.replace(",", ".")
    )
    assert stored(school, pupils[1], f"subjects.{SUBJECT}.hk2.gk") == Decimal(
        new_gk.replace(",", ".")
    )
    assert stored(school, pupils[2], f"subjects.{SUBJECT}.hk2.gk") != Decimal(11)

    await page.get_by_role("link", name=re.compile("Về sổ")).click()
    await expect(cell(page, pupils[0], "tx2")).to_have_value(new_tx2)
    await expect(cell(page, pupils[1], "gk")).to_have_value(new_gk)
    await pages.shot(page, "book-after-upload")
