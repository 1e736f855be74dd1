"""The IT group's operations page in a real browser (Vietnamese and English browsers): the
chain check with its result, and a system notice shown to another user until withdrawn."""

from __future__ import annotations

from typing import Any

from tests.browser.support import Pages, School

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None

PROBLEM = "Mạng nội bộ chập chờn, có thể không lưu được điểm"


def _usernames(school: School) -> tuple[str, str]:
    users = list(school.db.users.find({}, sort=[("username", 1)]))
    it = next(u["username"] for u in users if "cntt" in u["roles"])
    teacher = next(u["username"] for u in users if u["roles"] == ["gvbm"])
    return it, teacher


async def _english(pages: Pages) -> Any:
    page = await pages.new_page()
    await page.context.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    return page


async def test_it_checks_the_chain_and_posts_a_notice_others_see(
    pages: Pages, school: School
) -> None:
    it, teacher = _usernames(school)
    page = await pages.login(it)
    await page.get_by_role("link", name="Vận hành hệ thống").click()
    await expect(page.locator("#ops-worker")).to_contain_text("Ghi nhật ký thay đổi")
    await page.get_by_role("button", name="Kiểm tra chuỗi nhật ký").click()
    await expect(page.locator("#ops-chain-result")).to_contain_text(
        "Chuỗi nhật ký nguyên vẹn", timeout=60_000
    )
    await page.fill("#problem", PROBLEM)
    await page.fill("#advice", "Lưu từng lớp, kiểm tra lại sau khi lưu")
    await page.fill("#expected_fix", "trước 16 giờ hôm nay")
    await page.get_by_role("button", name="Đăng thông báo").click()
    await expect(page.locator("#system-notice")).to_contain_text(PROBLEM)
    await pages.shot(page, "operations-with-notice")

    other = await pages.login(teacher)
    await expect(other.locator("#system-notice")).to_contain_text("trước 16 giờ hôm nay")
    await pages.shot(other, "teacher-sees-notice")

    english = await _english(pages)
    await english.goto(school.url("/login"))
    await expect(english.locator("#system-notice")).to_contain_text(PROBLEM)
    await pages.shot(english, "sign-in-english-browser")
    await english.fill("input[name=username]", it)
    await english.fill("input[name=password]", school.passwords[it])
    await english.click("button[type=submit]")
    await english.wait_for_url(lambda url: "/login" not in url)
    await english.goto(school.url("/admin/operations"))
    await expect(english.locator("#ops-backup")).to_contain_text("Sao lưu")
    await pages.shot(english, "operations-english-browser")

    await page.get_by_role("button", name="Gỡ thông báo").click()
    await expect(page.locator("#system-notice")).to_have_count(0)
    await pages.shot(page, "notice-withdrawn")
