"""The panel in a real browser: Vietnamese whatever the browser's language, and the IT group
creating a teacher's account with assignments picked from lists."""

from __future__ import annotations

import asyncio
from typing import Any

from seed.catalogue import CURRENT_YEAR
from tests.browser.english import english_in, page_text
from tests.browser.support import Pages, School

CLASS_NAME = "6A1"  # a class of the demo school's current year

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None


def _holder(school: School, role: str) -> str:
    found = school.db.users.find_one({"roles": role}, sort=[("username", 1)])
    assert found is not None
    return str(found["username"])


def _cntt(school: School) -> str:
    return _holder(school, "cntt")


async def _english_on(pages: Pages, page: Any, label: str) -> list[str]:
    await page.wait_for_load_state("networkidle")
    await pages.shot(page, label)
    return english_in(await page_text(page))


async def _a_logged_change(school: School) -> dict[str, Any]:
    """A change-log entry: a change made outside the app (the log follows it a moment later,
    and its page then also says where the change came from)."""
    school.db.subjects.update_one({}, {"$set": {"note": "Sửa ngoài ứng dụng"}})
    for _ in range(100):
        entry = school.db.change_log.find_one({"kind": "change"})
        if entry is not None:
            return entry
        await asyncio.sleep(0.1)
    raise AssertionError("the change log recorded nothing")


async def test_no_english_on_the_main_pages(pages: Pages, school: School) -> None:
    # An English browser: the one that could bring English in (a Vietnamese browser walks
    # these pages in every other browser test).
    locale = "en-US"
    pupil = school.db.students.find_one({"current.school_year": CURRENT_YEAR}, {"_id": 1})
    role = school.db.roles.find_one({"code": "gvcn"}, {"_id": 1})
    user = school.db.users.find_one({"roles": "gvcn"}, {"_id": 1})
    assert pupil is not None
    assert role is not None
    assert user is not None
    page = await pages.login(_cntt(school), locale)
    entry = await _a_logged_change(school)
    found: dict[str, list[str]] = {}
    for label, path in [
        ("dashboard", "/admin/"),
        ("pupils", "/admin/students/list"),
        ("pupil", f"/admin/students/detail?pk={pupil['_id']}"),
        ("accounts", "/admin/users/list"),
        ("account", f"/admin/users/detail?pk={user['_id']}"),
        ("account-form", "/admin/users/create"),
        ("roles", "/admin/roles/list"),
        ("role", f"/admin/roles/detail?pk={role['_id']}"),
        ("change-log", "/admin/change-log/list"),
        ("change-log-entry", f"/admin/change-log/detail?pk={entry['_id']}"),
        ("pupil-history", f"/admin/history?id={pupil['_id']}"),
        ("sign-ins", "/admin/auth-events/list"),
    ]:
        await page.goto(school.url(path))
        if english := await _english_on(pages, page, f"{locale}-{label}"):
            found[label] = english
    # The list's filter builder and export dialog, opened as a user would.
    await page.goto(school.url("/admin/students/list"))
    await page.get_by_role("button", name="Bộ lọc").click()
    if english := await _english_on(pages, page, f"{locale}-pupils-filters"):
        found["filters"] = english
    # The class is picked from this year's classes, not typed.
    fields = page.locator("#filter-form select", has=page.locator("option", has_text="Mã học sinh"))
    await fields.first.select_option(label="Lớp")
    classes = page.locator("#filter-form select", has=page.locator("option", has_text=CLASS_NAME))
    await expect(classes).to_have_count(1)
    assert await page.locator("#filter-form input[type=text]:visible").count() == 0
    await pages.shot(page, f"{locale}-pupils-class-filter", full_page=False)
    await page.keyboard.press("Escape")
    # The export dialog, as the office (who may export pupils) opens it.
    board = await pages.login(_holder(school, "vanphong"), locale)
    await board.goto(school.url("/admin/students/list"))
    await board.locator("a.action-item[data-sa-name=export]").click()
    await expect(board.locator(".modal.show")).to_be_visible()
    if english := await _english_on(pages, board, f"{locale}-pupils-export"):
        found["export"] = english
    assert not found, f"English in a {locale} browser: {found}"


async def test_it_creates_a_teacher_with_assignments_picked_from_lists(
    pages: Pages, school: School
) -> None:
    klass = school.db.classes.find_one({"school_year": CURRENT_YEAR}, sort=[("name", 1)])
    assert klass is not None
    page = await pages.login(_cntt(school))
    await page.goto(school.url("/admin/users/create"))
    # An empty form goes to the server, which answers in Vietnamese on the fields (no browser
    # bubble "Please fill out this field.", which would also keep the form from being sent).
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await expect(page.locator("body")).to_contain_text("bắt buộc")
    await pages.shot(page, "empty-form-answered", full_page=False)
    await page.fill("input[name=username]", "gv.thunghiem")
    await page.fill("input[name=full_name]", "Nguyễn Thị Thử Nghiệm")
    await pages.shot(page, "form")
    # Roles: a list of role names to pick from (select2), not codes typed by hand.
    await page.locator("select[name=roles] + .select2").click()
    await page.keyboard.type("bộ môn")
    await page.keyboard.press("Enter")
    await page.get_by_role("button", name="Thêm mục").click()
    item = page.locator("#teaching .list-container .field-list-item")
    class_select = item.locator("select[name$='.class_name']")
    subject_select = item.locator("select[name$='.subject']")
    # A new assignment starts with nothing chosen, not on the first class and subject.
    await expect(class_select).to_have_value("")
    await expect(subject_select).to_have_value("")
    assert await class_select.evaluate("s => s.selectedOptions[0].text.trim()") == "— Chọn lớp —"
    assert await subject_select.evaluate("s => s.selectedOptions[0].text.trim()") == (
        "— Chọn môn học —"
    )
    await pages.shot(page, "assignment-added", full_page=False)
    await class_select.select_option(label=klass["name"])
    await page.select_option("select[name=subject_group]", index=1)
    # Saved with the subject left unchosen: refused, naming the row, and nothing else lost.
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await expect(page.locator("#form-error")).to_contain_text(
        "Phân công giảng dạy 1 › Môn học: Chưa chọn"
    )
    await page.wait_for_load_state("networkidle")
    await pages.shot(page, "assignment-unchosen-refused")
    assert school.db.users.find_one({"username": "gv.thunghiem"}) is None
    await expect(page.locator("input[name=username]")).to_have_value("gv.thunghiem")
    await expect(page.locator("select[name=roles]")).to_have_value("gvbm")
    await expect(class_select).to_have_value(klass["name"])
    await expect(subject_select).to_have_value("")
    await subject_select.select_option(label="Toán")
    await pages.shot(page, "form-filled")
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await page.wait_for_url(lambda url: "/admin/users/list" in url)
    await expect(page.locator("body")).to_contain_text("Mật khẩu tạm thời (chỉ hiện một lần)")
    await pages.shot(page, "created")
    stored = school.db.users.find_one({"username": "gv.thunghiem"})
    assert stored is not None
    assert stored["roles"] == ["gvbm"]
    assert stored["teaching"] == [{"class_name": klass["name"], "subject": "TOAN"}]
    assert stored["active"] is True
    assert stored["subject_group"]
    await page.goto(school.url("/admin/users/list?q=gv.thunghiem"))
    row = page.locator("tr", has_text="gv.thunghiem")
    await expect(row).to_contain_text("Giáo viên bộ môn")
    await expect(row).to_contain_text(f"Toán: {klass['name']}")
    await pages.shot(page, "listed")
