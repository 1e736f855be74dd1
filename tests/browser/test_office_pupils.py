"""The office's everyday work on one pupil in a real browser (Vietnamese and English browsers):
enrol a pupil, whose school year then stands in the record book; move them to another class of
the same year (the year's page follows, with its homeroom teacher); transfer them out (date,
destination, reason, decision number), after which the record only reads."""

from __future__ import annotations

import re
from typing import Any

import pytest

from seed.catalogue import CURRENT_YEAR
from tests.browser.support import Pages, School

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None

CODE = "HSMOI001"
NAME = "Hờ A Sùng"
DESTINATION = "Trường PTDTNT THCS huyện Krông Bông"


def _office(school: School) -> str:
    return next(u["username"] for u in school.db.users.find({"roles": ["vanphong"]}))


def _homeroom_teacher(school: School, class_name: str) -> str:
    klass = school.db.classes.find_one({"school_year": CURRENT_YEAR, "name": class_name})
    assert klass is not None
    user = school.db.users.find_one({"username": klass["homeroom_teacher"]})
    assert user is not None
    return str(user["full_name"])


async def _set_date(page: Any, name: str, value: str) -> None:
    await page.evaluate(
        "([n, v]) => document.querySelector(`input[name='${n}']`)._flatpickr.setDate(v, true)",
        [name, value],
    )


@pytest.mark.parametrize("locale", ["vi-VN", "en-US"])
async def test_office_enrols_moves_and_transfers_out_a_pupil(
    pages: Pages, school: School, locale: str
) -> None:
    code = f"{CODE}{locale[:2].upper()}"
    page = await pages.login(_office(school), locale)

    # Enrol: only what the form requires; the optional fields stay empty.
    await page.goto(school.url("/admin/students/create"))
    await page.fill('input[name="code"]', code)
    await page.fill('input[name="profile.full_name"]', NAME)
    await page.select_option('select[name="profile.sex"]', "nam")
    await page.fill('input[name="current.school_year"]', CURRENT_YEAR)
    await page.fill('input[name="current.grade"]', "6")
    await page.fill('input[name="current.class_name"]', "6A1")
    await _set_date(page, "profile.birth_date", "2014-03-09")
    await pages.shot(page, "enrolment-form")
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await page.wait_for_url(re.compile(r"/admin/students/(detail|list)"))
    pupil = school.db.students.find_one({"code": code})
    assert pupil is not None, "the pupil was not created"
    detail = school.url(f"/admin/students/detail?pk={pupil['_id']}")
    await page.goto(detail)
    year = page.locator(".card-title", has_text=f"Năm học {CURRENT_YEAR}")
    await expect(year).to_have_text(f"Năm học {CURRENT_YEAR} — Lớp 6A1")
    await expect(page.locator("body")).to_contain_text(f"GVCN: {_homeroom_teacher(school, '6A1')}")
    await pages.shot(page, "record-book-with-the-year")

    # Move to 6A2: the year's page follows, with 6A2's homeroom teacher.
    await page.goto(school.url(f"/admin/students/edit?pk={pupil['_id']}"))
    await page.fill('input[name="current.class_name"]', "6A2")
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await page.wait_for_url(re.compile(r"/admin/students/(detail|list)"))
    await page.goto(detail)
    await expect(year).to_have_text(f"Năm học {CURRENT_YEAR} — Lớp 6A2")
    await expect(page.locator("body")).to_contain_text(f"GVCN: {_homeroom_teacher(school, '6A2')}")
    await pages.shot(page, "record-book-after-the-move")

    # Transfer out from the record page's action.
    action = page.locator('[data-sa-name="transfer_out"]').first
    if not await action.is_visible():
        await page.locator("#actions-dropdown button, .dropdown-toggle").first.click()
    await action.click()
    dialog = page.locator("#modal-action")
    await expect(dialog).to_be_visible()
    await dialog.locator('input[name="on"]').fill("01/12/2025")
    await dialog.locator('input[name="to_school"]').fill(DESTINATION)
    await dialog.locator('input[name="reason"]').fill("Gia đình chuyển nơi ở")
    await dialog.locator('input[name="decision_no"]').fill("15/QĐ-THCS")
    await pages.shot(page, "transfer-out-dialog")
    # Once the action succeeds the record page reloads itself: wait for that reload, which
    # would otherwise cut short the next navigation (net::ERR_ABORTED).
    async with (
        page.expect_navigation(),
        page.expect_response(lambda r: "/row-action" in r.url) as answered,
    ):
        await dialog.get_by_role("button", name="Ghi nhận chuyển trường").click()
    assert (await answered.value).ok
    await expect(dialog).to_be_hidden()
    await page.goto(detail)
    await expect(page.locator("body")).to_contain_text(DESTINATION)
    await expect(page.locator("body")).to_contain_text("Đã chuyển trường")
    await pages.shot(page, "record-after-transfer-out")
    stored = school.db.students.find_one({"code": code})
    assert stored is not None
    assert stored["status"] == "transferred"
    assert stored["transfer_out"]["to_school"] == DESTINATION

    # Read-only now: the form refuses a change and says why.
    await page.goto(school.url(f"/admin/students/edit?pk={pupil['_id']}"))
    await page.fill('input[name="profile.full_name"]', "Tên khác")
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await expect(page.locator("body")).to_contain_text("Học sinh đã chuyển trường")
    await pages.shot(page, "edit-refused-after-transfer")
    again = school.db.students.find_one({"code": code})
    assert again is not None
    assert again["profile"]["full_name"] == NAME
