"""Excel in and out of a score book: the download's header and protection, and an upload
read row by row, previewed, and applied all or nothing (or only its valid rows, when asked)."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from html import unescape

import httpx
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from models.student import StudentRecord
from tests.admin.school import YEAR, School, csrf
from tests.admin.test_scorebook import BOOK, SCORES, TOAN, at, stored

FIRST_ROW = 7  # pupils start here, in class-list order: An, H'Lan, Niê


async def download(client: httpx.AsyncClient, book: dict[str, str] = TOAN) -> Workbook:
    response = await client.get(f"{BOOK}/excel", params=book)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return load_workbook(io.BytesIO(response.content))


def column_of(sheet: Worksheet, label: str) -> int:
    return next(c.column for c in sheet[6] if c.value == label)


def as_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def upload(client: httpx.AsyncClient, data: bytes, book: dict[str, str] = TOAN) -> str:
    form = {**book, "csrftoken": csrf(client)}
    files = {"file": ("so.xlsx", data, "application/octet-stream")}
    response = await client.post(f"{BOOK}/import", data=form, files=files)
    assert response.status_code == 200, response.text
    return response.text


def plain(html: str) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


async def apply(client: httpx.AsyncClient, preview: str, **extra: str) -> str:
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview))
    form = {k: unescape(v) for k, v in form.items()}
    response = await client.post(
        f"{BOOK}/import/apply", data={**form, **extra, "csrftoken": csrf(client)}
    )
    assert response.status_code == 200, response.text
    return response.text


def text_of(html: str, element_id: str) -> str:
    part = html.split(f'id="{element_id}"', 1)[1].split("</table>", 1)[0]
    return plain(part)


async def test_the_download_names_the_book_and_protects_read_only_cells(school: School) -> None:
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": "HS7A103"}, {"$set": {f"years.{YEAR}.locks.hk2.locked": True}}
    )
    teacher = await school.login("gv.toan")
    sheet = (await download(teacher)).active
    assert sheet is not None
    assert sheet["A1"].value == "Trường PTDTNT THCS (trường mẫu)"
    assert sheet["A2"].value == "Sổ điểm môn Toán lớp 7A1"
    assert sheet["A3"].value == "Học kỳ II, năm học 2025-2026"
    assert [c.value for c in sheet[6]][:4] == ["STT", "Mã học sinh", "Họ và tên", "TX1"]
    assert [sheet.cell(r, 3).value for r in range(7, 10)] == [
        "Nguyễn Văn An",
        "Ksor Thị H'Lan",
        "H' Hen Niê",
    ]
    assert sheet.protection.sheet
    gk, avg = column_of(sheet, "GK"), column_of(sheet, "ĐTBmhk")
    assert not sheet.cell(FIRST_ROW, gk).protection.locked  # writable
    assert sheet.cell(FIRST_ROW, avg).protection.locked  # computed
    assert sheet.cell(FIRST_ROW + 2, gk).protection.locked  # that pupil's term is locked
    assert sheet.cell(FIRST_ROW, 2).protection.locked  # the pupil code


async def test_an_upload_is_previewed_and_applied_all_or_nothing(school: School) -> None:
    teacher = await school.login("gv.toan")
    workbook = await download(teacher)
    sheet = workbook.active
    assert sheet is not None
    tx1, gk = column_of(sheet, "TX1"), column_of(sheet, "GK")
    sheet.cell(FIRST_ROW, tx1, 8.5)
    sheet.cell(FIRST_ROW + 1, gk, "7,5")
    sheet.cell(FIRST_ROW + 2, tx1, 11)
    preview = await upload(teacher, as_bytes(workbook))
    assert "2 ô sẽ thay đổi; 1 lỗi" in plain(preview)
    changes = text_of(preview, "import-changes")
    assert "7 Nguyễn Văn An TX1 (trống) 8,5" in changes  # typed as 8.5, shown as the book shows it
    assert "8 Ksor Thị H'Lan GK (trống) 7,5" in changes
    problems = text_of(preview, "import-problems")
    assert "9 cột D (TX1) Điểm phải nằm trong khoảng 0 đến 10" in problems
    assert at(await stored("HS7A101"), f"{SCORES}.hk2.tx") == []  # a preview writes nothing

    refused = await apply(teacher, preview)
    assert "chưa áp dụng gì" in plain(refused)
    assert at(await stored("HS7A101"), f"{SCORES}.hk2.tx") == []
    # The refusing page offers the choice again, with the same upload.
    assert "Chỉ áp dụng 2 ô ở các dòng không có lỗi" in plain(refused)

    applied = await apply(teacher, refused, only_valid="1")
    assert "Đã lưu 2 ô" in plain(applied)
    first, second = await stored("HS7A101"), await stored("HS7A102")
    assert at(first, f"{SCORES}.hk2.tx.0") == Decimal("8.5")
    assert at(second, f"{SCORES}.hk2.gk") == Decimal("7.5")
    assert first["meta"]["source"] == "import"
    assert at(await stored("HS7A103"), f"{SCORES}.hk2.tx") == []


async def test_a_change_made_after_the_preview_stops_the_whole_upload(school: School) -> None:
    teacher = await school.login("gv.toan")
    workbook = await download(teacher)
    sheet = workbook.active
    assert sheet is not None
    gk = column_of(sheet, "GK")
    sheet.cell(FIRST_ROW, gk, 6)
    sheet.cell(FIRST_ROW + 1, gk, 7)
    preview = await upload(teacher, as_bytes(workbook))
    assert "2 ô sẽ thay đổi; 0 lỗi" in plain(preview)
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": "HS7A102"}, {"$set": {f"{SCORES}.hk2.gk": 9}, "$inc": {"version": 1}}
    )
    result = await apply(teacher, preview)
    assert "chưa áp dụng gì" in plain(result)
    assert "đã bị người khác sửa" in plain(result)
    assert at(await stored("HS7A101"), f"{SCORES}.hk2.gk") is None
    assert at(await stored("HS7A102"), f"{SCORES}.hk2.gk") == 9


async def test_a_sheet_of_another_book_or_not_a_sheet_is_refused(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    other = await download(homeroom, {**TOAN, "subject": "GDTC"})
    teacher = await school.login("gv.toan")
    await teacher.get("/admin/")
    wrong = await upload(teacher, as_bytes(other))
    assert "Tệp này là của một sổ khác (subject 2025-2026 7A1 GDTC hk2)" in plain(wrong)
    garbage = await upload(teacher, b"not a spreadsheet")
    assert "Không đọc được tệp" in garbage
    blank = Workbook()
    unknown = await upload(teacher, as_bytes(blank))
    assert "không phải sổ điểm tải về từ hệ thống" in plain(unknown)
