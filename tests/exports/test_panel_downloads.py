"""Downloads from the panel: a pupil's summary and record book, a class's, through the export
scope (404 outside it), approved data only, and each one journalled."""

from __future__ import annotations

import io
import zipfile

from models.exports import ExportEntry
from models.student import StudentRecord
from tests.admin.school import LAST_YEAR, YEAR, School
from tests.exports.helpers import give_year, nfc, pdf_pages, pdf_text


async def test_office_downloads_a_pupils_summary_from_the_pupil_page(school: School) -> None:
    await give_year("HS7A102", YEAR, lock=True, score="9", teacher="gv.cn7a1")
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A102")
    page = await office.get(f"/admin/students/detail?pk={pk}")
    assert "Tải phiếu báo kết quả (PDF)" in page.text
    response = await office.get(
        f"/admin/exports/pupil/{pk}/summary", params={"year": YEAR, "period": "year"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert nfc("PHIẾU BÁO KẾT QUẢ HỌC TẬP") in text
    assert nfc("Ksor Thị H'Lan") in text
    assert "7A1" in text
    assert "Học sinh Xuất sắc" in text
    assert nfc("Em chăm ngoan, tiến bộ rõ rệt; cần cố gắng thêm môn Ngữ văn.") in text
    assert "Hà Thị Chủ" in text  # the homeroom teacher by name
    entries = await ExportEntry.find_all().to_list()
    assert [(e.kind, e.username, e.pupil_codes) for e in entries] == [
        ("summary", "vp.thuky", ["HS7A102"])
    ]


async def test_drafts_never_reach_a_summary(school: School) -> None:
    await give_year("HS7A101", YEAR, lock=False, score="6")
    office = await school.login("vp.thuky")
    response = await office.get(
        f"/admin/exports/pupil/{school.pupil_id('HS7A101')}/summary", params={"period": "year"}
    )
    text = pdf_text(response.content)
    assert "Nguyễn Văn An" in text
    lines = text.splitlines()
    assert "Toán" in lines  # the subject is listed, without its draft results
    assert not any(line.startswith("Toán ") for line in lines)
    assert "Chưa có kết quả được duyệt" in text
    assert "Em chăm ngoan" not in text


async def test_homeroom_teacher_exports_only_their_class(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    other = school.pupil_id("HS7A201")
    for path in (
        f"/admin/exports/pupil/{other}/summary",
        f"/admin/exports/pupil/{other}/record-book",
    ):
        assert (await homeroom.get(path)).status_code == 404
    assert (await homeroom.get("/admin/exports/pupil/not-an-id/summary")).status_code == 404
    refused = await homeroom.get(
        "/admin/exports/class", params={"year": YEAR, "class": "7A2", "kind": "summary"}
    )
    assert refused.status_code == 404
    assert "Không có học sinh nào của lớp 7A2" in refused.text
    mine = await homeroom.get(
        "/admin/exports/class", params={"year": YEAR, "class": "7A1", "kind": "summary"}
    )
    assert mine.status_code == 200
    text = pdf_text(mine.content)
    assert pdf_pages(mine.content) == 3
    for name in ("Nguyễn Văn An", "Ksor Thị H'Lan", "H' Hen Niê"):
        assert nfc(name) in text
    assert "Nguyễn Văn Bình" not in text
    assert await ExportEntry.find({"username": "gv.cn7a1"}).count() == 1  # refusals not logged


async def test_no_export_right_no_export_page(school: School) -> None:
    teacher = await school.login("gv.toan")  # views and edits scores, exports nothing
    pk = school.pupil_id("HS7A101")
    assert (await teacher.get("/admin/exports")).status_code in (403, 404)
    assert (await teacher.get(f"/admin/exports/pupil/{pk}/summary")).status_code in (403, 404)


async def test_class_summaries_as_a_zip_of_pupils(school: School) -> None:
    await give_year("HS7A101", YEAR, lock=True)
    office = await school.login("vp.thuky")
    response = await office.get(
        "/admin/exports/class",
        params={"year": YEAR, "class": "7A1", "kind": "summary_zip", "period": "hk1"},
    )
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert len(names) == 3
    assert all(n.endswith(".pdf") for n in names)
    first = next(n for n in names if "hs7a101" in n)
    text = pdf_text(archive.read(first))
    assert "Học kỳ I - Năm học 2025-2026" in text
    assert "Nguyễn Văn An" in text


async def test_class_record_books_in_one_deterministic_pdf(school: School) -> None:
    await give_year("HS7A101", YEAR, lock=True)
    office = await school.login("vp.thuky")
    params = {"year": YEAR, "class": "7A1", "kind": "record_book"}
    first = await office.get("/admin/exports/class", params=params)
    second = await office.get("/admin/exports/class", params=params)
    assert first.status_code == 200
    assert first.content == second.content
    text = pdf_text(first.content)
    assert text.count("HỌC BẠ") >= 3
    assert "Năm học: 2025-2026" in text


async def test_the_former_pupils_book_is_found_by_last_years_class(school: School) -> None:
    office = await school.login("vp.thuky")
    response = await office.get(
        "/admin/exports/class", params={"year": LAST_YEAR, "class": "6A9", "kind": "record_book"}
    )
    assert response.status_code == 200
    assert "Trần Đức Cũ" in pdf_text(response.content)


async def test_bad_period_or_year_is_explained(school: School) -> None:
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A101")
    bad = await office.get(f"/admin/exports/pupil/{pk}/summary", params={"period": "hk3"})
    assert bad.status_code == 422
    assert "Học kỳ I, Học kỳ II hoặc Cả năm" in bad.text
    bad = await office.get("/admin/exports/year", params={"year": "2025-2027", "format": "json"})
    assert bad.status_code == 422
    assert "Năm học không hợp lệ" in bad.text


async def test_pupil_page_offers_the_latest_approved_period(school: School) -> None:
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": "HS7A103"}, {"$set": {f"years.{YEAR}.locks.hk1.locked": True}}
    )
    office = await school.login("vp.thuky")
    page = await office.get(f"/admin/students/detail?pk={school.pupil_id('HS7A103')}")
    assert '<option value="hk1" selected>' in page.text
    other = await office.get(f"/admin/students/detail?pk={school.pupil_id('HS7A101')}")
    assert '<option value="year" selected>' in other.text


async def test_the_export_journal_is_for_the_board_and_it_only(school: School) -> None:
    office = await school.login("vp.thuky")
    await office.get(f"/admin/exports/pupil/{school.pupil_id('HS7A101')}/record-book")
    for username in ("bgh.ht", "it.quantri"):
        reader = await school.login(username)
        listing = await reader.get("/admin/export-journal/list")
        assert listing.status_code == 200
        assert "Học bạ của Nguyễn Văn An" in listing.text
        assert (await reader.get("/admin/export-journal/create")).status_code == 403
    for username in ("vp.thuky", "gv.cn7a1"):
        other = await school.login(username)
        assert (await other.get("/admin/export-journal/list")).status_code == 403


async def test_the_export_page_names_each_class_with_its_year(school: School) -> None:
    office = await school.login("vp.thuky")
    page = await office.get("/admin/exports")
    assert page.status_code == 200
    assert f'<option value="{YEAR}|7A1"' in page.text
    response = await office.get(
        "/admin/exports/class", params={"class": f"{YEAR}|7A2", "kind": "record_book"}
    )
    assert response.status_code == 200
    assert "Nguyễn Văn Bình" in pdf_text(response.content)
