"""The board's dashboards in a real browser (Vietnamese and English browsers): progress with its
charts, timeliness, data quality, cross-checks, the results statistics and their Excel file,
and an inspection record written and printed."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from tests.browser.support import Pages, School

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None

FINDINGS = "Khối 7 nhập điểm đúng tiến độ; lớp 7A2 còn thiếu điểm giữa kỳ môn Toán."


def board_member(school: School) -> str:
    users = list(school.db.users.find({"roles": ["bgh"]}, sort=[("username", 1)]))
    return str(users[0]["username"])


async def set_date(page: Any, name: str, value: str) -> None:
    """A date field of the panel's forms (a date picker over a hidden ISO value)."""
    await page.evaluate(
        """([name, value]) => {
            const input = document.querySelector(`input[name="${name}"]`);
            if (input._flatpickr) { input._flatpickr.setDate(value, true); }
            else { input.value = value; }
        }""",
        [name, value],
    )


async def test_the_board_inspects_the_school(pages: Pages, school: School) -> None:
    username = board_member(school)
    page = await pages.login(username)
    await page.get_by_role("link", name="Theo dõi, kiểm tra").click()
    await expect(page.locator("#by-class")).to_be_visible()
    charts = page.get_by_role("img", name="Tỉ lệ ô đã nhập theo khối")
    await expect(charts).to_be_visible()
    await expect(page.locator("#by-teacher tbody tr").first).to_be_visible()
    await pages.shot(page, "progress")

    await page.get_by_role("link", name="Đúng hạn").click()
    await expect(page.locator("#late-books")).to_be_visible()
    await pages.shot(page, "timeliness")

    await page.get_by_role("link", name="Chất lượng dữ liệu").click()
    await expect(page.locator("#pupil-issues")).to_be_visible()
    await pages.shot(page, "quality")

    await page.get_by_role("link", name="Kiểm tra chéo").click()
    await expect(page.locator("#checkers")).to_be_visible()

    await page.get_by_role("link", name="Thống kê kết quả").click()
    await page.select_option("#period", "hk1")
    await page.get_by_role("button", name="Xem").click()
    await expect(page.locator("#results-by-class")).to_be_visible()
    await pages.shot(page, "results")
    async with page.expect_download() as download_info:
        await page.locator("#results-excel").click()
    download = await download_info.value
    book = load_workbook(io.BytesIO(open(await download.path(), "rb").read()))  # noqa: SIM115
    assert book.sheetnames == ["Theo lớp", "Theo khối"]
    assert book["Theo khối"].cell(row=4, column=1).value == "Lớp / khối"

    await page.get_by_role("link", name="Lập biên bản kiểm tra").click()
    await page.fill("input[name=school_year]", "2025-2026")
    await set_date(page, "period_from", "2025-12-01")
    await set_date(page, "period_to", "2025-12-20")
    await page.fill("textarea[name=scope]", "Tiến độ nhập điểm học kỳ I, toàn trường")
    await page.fill("textarea[name=findings]", FINDINGS)
    await page.fill("input[name=inspectors]", "Ban giám hiệu")
    await pages.shot(page, "inspection-form")
    await page.locator(".card-footer button[type=submit]:not([name])").click()
    await page.wait_for_url(lambda url: "/inspections/" in url and "create" not in url)
    record = school.db.inspections.find_one({"findings": FINDINGS})
    assert record is not None
    await page.goto(school.url(f"/admin/dashboards/inspections/{record['_id']}/print"))
    await expect(page.locator("#findings")).to_contain_text("lớp 7A2 còn thiếu")
    await page.emulate_media(media="print")
    await pages.shot(page, "inspection-print")


async def test_the_dashboards_in_an_english_browser(pages: Pages, school: School) -> None:
    username = board_member(school)
    page = await pages.login(username, "en-US")
    await page.goto(school.url("/admin/dashboards"))
    await expect(page.locator("#by-grade")).to_be_visible()
    await pages.shot(page, "progress-english-browser")
    await page.goto(school.url("/admin/dashboards/results"))
    await expect(page.locator("#results-by-grade")).to_be_visible()
    await pages.shot(page, "results-english-browser")
