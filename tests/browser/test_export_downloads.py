"""Exports in a real browser (Vietnamese and English browsers): the office downloads a pupil's
summary from the pupil page and reads it back; the export page; the board's export journal."""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from tests.browser.support import Pages, School

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None


def _people(school: School) -> tuple[str, str, dict[str, Any]]:
    users = list(school.db.users.find({}, sort=[("username", 1)]))
    office = next(u["username"] for u in users if u["roles"] == ["vanphong"])
    board = next(u["username"] for u in users if u["roles"] == ["bgh"])
    pupil = school.db.students.find_one({"status": "studying"}, sort=[("code", 1)])
    assert pupil is not None
    return office, board, pupil


def _text(path: str) -> str:
    with open(path, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


async def test_office_downloads_a_summary_and_the_board_sees_it_journalled(
    pages: Pages, school: School, tmp_path: Path
) -> None:
    office, board, pupil = _people(school)
    year = pupil["current"]["school_year"]
    start = int(year[:4]) - 3
    earlier = f"{start}-{start + 1}"
    page = await pages.login(office)
    await page.goto(school.url(f"/admin/students/detail?pk={pupil['_id']}"))
    await expect(page.locator("#pupil-exports")).to_be_visible()
    await pages.shot(page, "pupil-page-downloads")
    async with page.expect_download() as waiting:
        await page.click("#download-summary")
    download = await waiting.value
    assert download.suggested_filename.endswith(".pdf")
    path = await download.path()
    text = _text(str(path))
    assert "PHIẾU BÁO KẾT QUẢ HỌC TẬP" in text
    assert unicodedata.normalize("NFC", pupil["code"]) in text

    await page.get_by_role("link", name="Xuất dữ liệu").click()
    await expect(page.locator("#class-export")).to_be_visible()
    await pages.shot(page, "export-page")

    # A pupil transferring in: last year's file from "another school" (this school's own
    # export of the current year, moved back a year), previewed on the pupil's page.
    answer = await page.request.get(
        school.url("/admin/exports/year"), params={"year": year, "format": "json"}
    )
    document = json.loads(await answer.body())
    entry = document["DanhSachHocSinh"][0]
    entry["KetQuaNamHoc"][0].update(NamHoc=earlier, KhoiLop=6, TenLop="6A9")
    document.update(TenTruong="Trường THCS Nà Hang", DanhSachHocSinh=[entry])
    upload = tmp_path / "hoc-ba-truong-cu.json"
    upload.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    await page.goto(school.url(f"/admin/students/detail?pk={pupil['_id']}"))
    await page.click("#transfer-in-link")
    await page.set_input_files("#transfer-file", str(upload))
    await page.get_by_role("button", name="Xem trước").click()
    await expect(page.locator("#transfer-preview")).to_contain_text(earlier)
    await pages.shot(page, "transfer-in-preview")

    journal = await pages.login(board)
    await journal.get_by_role("link", name="Nhật ký xuất dữ liệu").click()
    await expect(journal.locator("body")).to_contain_text("Phiếu báo kết quả học tập")
    await expect(journal.locator("body")).to_contain_text("Phiếu báo học kỳ I năm học")
    await pages.shot(journal, "export-journal")


async def test_an_english_browser_gets_the_same_vietnamese_exports(
    pages: Pages, school: School
) -> None:
    office, _, pupil = _people(school)
    page = await pages.login(office)
    await page.context.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    await page.goto(school.url("/admin/exports"))
    await expect(page.locator("#year-export")).to_contain_text("Dữ liệu liên thông (JSON)")
    await pages.shot(page, "export-page-english-browser")
    await page.goto(school.url(f"/admin/students/detail?pk={pupil['_id']}"))
    async with page.expect_download() as waiting:
        await page.click("#download-record-book")
    download = await waiting.value
    text = _text(str(await download.path()))
    assert "HỌC BẠ" in text
    assert "QUÁ TRÌNH HỌC TẬP" in text
    await page.goto(school.url("/admin/students/list"))
    await page.get_by_text("Xuất danh sách (CSV)").click()
    await expect(page.locator("#modal-action")).to_contain_text("không chỉ trang đang xem")
    await pages.shot(page, "pupil-list-export-dialog-english-browser")
    async with page.expect_download() as waiting:
        await page.locator("#modal-action").get_by_text("Tải tệp CSV").click()
    download = await waiting.value
    with open(str(await download.path()), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = data.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Mã học sinh,Mã định danh,Họ và tên")
    assert len(rows) - 1 == school.db.students.count_documents({})  # every row, not a page
