"""The panel in a real browser: Vietnamese whatever the browser's language, and the IT group
creating a teacher's account with assignments picked from lists."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from seed.catalogue import CURRENT_YEAR
from tests.browser.english import english_in, page_text
from tests.browser.support import Pages, School

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None


def _cntt(school: School) -> str:
    found = school.db.users.find_one({"roles": "cntt"}, sort=[("username", 1)])
    assert found is not None
    return str(found["username"])


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


@pytest.mark.parametrize("locale", ["en-US", "vi-VN"])
async def test_no_english_on_the_main_pages(pages: Pages, school: School, locale: str) -> None:
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
    ]:
        await page.goto(school.url(path))
        if english := await _english_on(pages, page, f"{locale}-{label}"):
            found[label] = english
    assert not found, f"English in a {locale} browser: {found}"
