"""The office's year-end work in a real browser (Vietnamese and English browsers): promotion
refused while a class is open, then previewed, adjusted and applied; and a pupil enrolled as a
transfer from another school, with the origin school on the record page."""

from __future__ import annotations

import re
import subprocess
import sys

from seed.catalogue import CURRENT_YEAR
from tests.browser.support import ROOT, Pages, School
from tests.browser.year_end import NEXT_YEAR

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None

OPEN_CLASS = "6A2"
ORIGIN = "Trường PTDTBT THCS Xín Mần"


def _office(school: School) -> str:
    return next(u["username"] for u in school.db.users.find({"roles": ["vanphong"]}))


def _year_end(school: School, mongo_uri: str, *args: str) -> None:
    command = [sys.executable, "-m", "tests.browser.year_end", "--mongo-uri", mongo_uri]
    subprocess.run([*command, "--db", school.db.name, *args], cwd=ROOT, check=True, timeout=300)


async def test_office_promotes_the_school_into_next_year(
    pages: Pages, school: School, mongo_uri: str
) -> None:
    _year_end(school, mongo_uri, "finish", "--open", OPEN_CLASS)
    office = _office(school)
    page = await pages.login(office)
    await page.get_by_role("link", name="Chuyển năm học").click()
    await page.wait_for_url(re.compile(r"/admin/promotion"))
    await expect(page.locator("#promotion-problems")).to_contain_text(
        f"Năm học {CURRENT_YEAR} chưa khóa sổ ở các lớp: {OPEN_CLASS}"
    )
    await expect(page.locator("#promotion-apply")).to_be_disabled()
    await pages.shot(page, "refused-while-open")

    _year_end(school, mongo_uri, "lock")
    await page.reload()
    await expect(page.locator("#promotion-problems")).to_have_count(0)
    first = page.locator('.hocba-promotion-class[data-class="6A1"]')
    await expect(first.locator("#promote-6A1")).to_have_value("7A1")
    await expect(first.locator('tr[data-group="pending"]').first).to_contain_text("Kiểm tra lại")
    await pages.shot(page, "preview")

    # The pupils promoted from 6A1 go to 7A2 instead: the preview follows the choice.
    await first.locator("#promote-6A1").select_option("7A2")
    await page.get_by_role("button", name="Xem lại với các lớp đã chọn").click()
    await page.wait_for_load_state()
    first = page.locator('.hocba-promotion-class[data-class="6A1"]')
    await expect(first.locator('tr[data-group="promote"]').first).to_contain_text("→ 7A2")
    promoted = await first.locator('tr[data-group="promote"]').first.get_attribute("data-code")
    await first.locator("summary").click()
    await pages.shot(page, "preview-adjusted")
    graduates = await page.locator('tr[data-group="graduate"]').count()
    assert graduates > 0
    await page.locator("#promotion-apply").click()
    await page.wait_for_url(re.compile(r"/admin/promotion/run"))
    if await page.locator("#promotion-progress").count():
        await pages.shot(page, "progress")
    await expect(page.locator("#promotion-result")).to_contain_text(
        f"Đã chuyển năm học {CURRENT_YEAR} → {NEXT_YEAR}", timeout=120_000
    )
    await expect(page.locator('#promotion-result li[data-group="graduate"]')).to_contain_text(
        f"Tốt nghiệp: {graduates} học sinh"
    )
    await pages.shot(page, "result")

    moved = school.db.students.find_one({"code": promoted})
    assert moved is not None
    assert moved["current"] == {"school_year": NEXT_YEAR, "grade": 7, "class_name": "7A2"}
    await page.goto(school.url(f"/admin/students/detail?pk={moved['_id']}"))
    await expect(page.locator("body")).to_contain_text(f"Năm học {NEXT_YEAR}")
    await pages.shot(page, "record-book-next-year")

    # Again: nothing left to move, nobody moved twice.
    await page.goto(school.url("/admin/promotion"))
    await expect(page.locator("#promotion-nothing")).to_be_visible()
    await expect(page.locator("#promotion-apply")).to_be_disabled()
    await pages.shot(page, "nothing-left")

    english = await pages.login(office, "en-US")
    await english.goto(school.url("/admin/promotion"))
    await expect(english.get_by_role("heading", name="Chuyển năm học")).to_be_visible()
    await expect(english.locator("#promotion-summary")).to_contain_text("Đã chuyển")
    await pages.shot(english, "english-browser")


async def test_office_enrols_a_pupil_from_another_school(pages: Pages, school: School) -> None:
    page = await pages.login(_office(school))
    await page.goto(school.url("/admin/students/create"))
    await page.fill('input[name="code"]', "HSDEN001")
    await page.fill('input[name="profile.full_name"]', "Vàng Thị Dính")
    await page.select_option('select[name="profile.sex"]', "nu")
    await page.fill('input[name="profile.ethnicity"]', "Mông")
    await page.fill('input[name="profile.nationality"]', "Việt Nam")
    await page.select_option('select[name="status"]', "studying")
    await page.fill('input[name="current.school_year"]', CURRENT_YEAR)
    await page.fill('input[name="current.grade"]', "7")
    await page.fill('input[name="current.class_name"]', "7A1")
    await page.fill('input[name="transfer_in.from_school"]', ORIGIN)
    await page.fill('input[name="transfer_in.decision_no"]', "27/QĐ-PGDĐT")
    await page.fill('input[name="transfer_in.reason"]', "Gia đình chuyển đến xã Mường Tè")
    for name, value in (("profile.birth_date", "2012-10-02"), ("transfer_in.on", "2025-11-03")):
        await page.evaluate(
            "([n, v]) => document.querySelector(`input[name='${n}']`)._flatpickr.setDate(v, true)",
            [name, value],
        )
    await pages.shot(page, "enrolment-form")
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await page.wait_for_url(re.compile(r"/admin/students/(detail|list)"))
    pupil = school.db.students.find_one({"code": "HSDEN001"})
    assert pupil is not None
    await page.goto(school.url(f"/admin/students/detail?pk={pupil['_id']}"))
    await expect(page.locator("body")).to_contain_text(
        f"03/11/2025 từ {ORIGIN}; Gia đình chuyển đến xã Mường Tè; QĐ số 27/QĐ-PGDĐT"
    )
    await pages.shot(page, "record-shows-origin")

    english = await pages.login(_office(school), "en-US")
    await english.goto(school.url(f"/admin/students/detail?pk={pupil['_id']}"))
    await expect(english.locator("body")).to_contain_text(f"từ {ORIGIN}")
    await pages.shot(english, "record-english-browser")
