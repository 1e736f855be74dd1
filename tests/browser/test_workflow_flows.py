"""The approval chain in a real browser across three accounts: a subject teacher submits a
term II book with reasons for its gaps, the subject's group head finds it in «Việc cần làm» and
checks it, the board (with an English browser) approves and locks it; the teacher's book is
then read-only. The cast is read from the seeded database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from seed.catalogue import CURRENT_YEAR, GROUP_OF
from tests.browser.support import Pages, School

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None

SUBJECT = "TINHOC"


@dataclass(frozen=True)
class Cast:
    teacher: str
    head: str
    board: str
    klass: str


@pytest.fixture(scope="module")
def cast(school: School) -> Cast:
    users = list(school.db.users.find({}, sort=[("username", 1)]))
    teacher = next(
        u
        for u in users
        if "tocm" not in u["roles"] and any(t["subject"] == SUBJECT for t in u.get("teaching", []))
    )
    klass = next(t["class_name"] for t in teacher["teaching"] if t["subject"] == SUBJECT)
    head = next(
        u for u in users if "tocm" in u["roles"] and u.get("subject_group") == GROUP_OF[SUBJECT]
    )
    board = next(u for u in users if "bgh" in u["roles"])
    return Cast(teacher["username"], head["username"], board["username"], klass)


def book_link(cast: Cast) -> str:
    return f"Sổ điểm môn Tin học lớp {cast.klass}, Học kỳ II năm học {CURRENT_YEAR}"


async def english_login(pages: Pages, school: School, username: str) -> Any:
    page = await pages.login(username, "en-US")
    await page.goto(school.url("/admin/inbox"))
    return page


async def test_the_chain_across_teacher_group_head_and_board(
    pages: Pages, school: School, cast: Cast
) -> None:
    # The teacher opens the term II book and its chain page.
    page = await pages.login(cast.teacher)
    await page.get_by_role("link", name="Lớp của tôi").first.click()
    row = page.locator(f'tr[data-book="subject-{cast.klass}-{SUBJECT}"]')
    await expect(row.locator('td[data-term="hk1"]')).to_contain_text("Đã khóa sổ")
    await expect(row.locator('td[data-term="hk2"]')).to_contain_text("Đang nhập")
    await pages.shot(page, "teacher-my-classes")
    await row.locator('td[data-term="hk2"] a').click()
    await page.locator("#book-chain").click()
    await page.wait_for_url(re.compile(r"/admin/book-chain\?"))
    await expect(page.locator("#book-stage")).to_have_text("Đang nhập")
    # Term II is under way: pupils still miss cells, each needs a reason.
    await page.get_by_role("button", name="Nộp sổ").click()  # the browser asks for the box
    await page.get_by_label(re.compile("Tôi xác nhận nộp sổ")).check()
    await page.get_by_role("button", name="Nộp sổ").click()
    await expect(page.locator("#step-error")).to_contain_text("Cần ghi lý do")
    await pages.shot(page, "teacher-gaps-refused")
    gaps = page.locator('input[name^="gap:"]')
    for index in range(await gaps.count()):
        await gaps.nth(index).fill("Chưa đến kỳ kiểm tra cuối kỳ")
    await page.get_by_label(re.compile("Tôi xác nhận nộp sổ")).check()
    await page.get_by_role("button", name="Nộp sổ").click()
    await expect(page.locator("#book-stage")).to_have_text("Đã nộp")
    await pages.shot(page, "teacher-submitted")

    # The group head finds it waiting, with the count in the menu, and checks it.
    head = await pages.login(cast.head)
    await expect(head.get_by_role("link", name=re.compile(r"Việc cần làm \(\d+\)"))).to_be_visible()
    await head.get_by_role("link", name=re.compile(r"Việc cần làm")).first.click()
    await expect(head.locator('[data-provider="to_check"]')).to_contain_text(book_link(cast))
    await pages.shot(head, "head-inbox")
    await head.get_by_role("link", name=book_link(cast)).click()
    await head.locator("#check-comment").fill("Đủ điểm theo kế hoạch; lý do còn thiếu hợp lệ")
    await head.get_by_role("button", name="Kiểm tra đạt").click()
    await expect(head.locator("#book-stage")).to_have_text("Tổ chuyên môn đã kiểm tra")
    await pages.shot(head, "head-checked")

    # The board, with an English browser, approves and locks it.
    board = await english_login(pages, school, cast.board)
    await expect(board.locator('[data-provider="to_approve"]')).to_contain_text(book_link(cast))
    await pages.shot(board, "board-inbox-english")
    await board.get_by_role("link", name=book_link(cast)).click()
    await expect(board.locator("#book-steps")).to_contain_text("Kiểm tra đạt")
    await board.get_by_label(re.compile("Tôi đã xem sổ")).check()
    await board.get_by_role("button", name="Duyệt và khóa sổ").click()
    await expect(board.locator("#book-stage")).to_have_text("Ban giám hiệu đã duyệt")
    await pages.shot(board, "board-approved-english")
    await board.get_by_role("link", name="Duyệt và khóa sổ").first.click()
    await expect(board.locator("#school-lock-hk2")).to_contain_text("chưa được duyệt")
    await pages.shot(board, "board-school-locks-english")

    # The teacher's book is now read-only, with the reason.
    await page.goto(
        school.url(
            f"/admin/my-classes/book?kind=subject&year={CURRENT_YEAR}&class={cast.klass}"
            f"&subject={SUBJECT}&term=hk2"
        )
    )
    await expect(page.locator("#book-locked")).to_contain_text("đã khóa sổ")
    assert await page.locator("#save").count() == 0
    await pages.shot(page, "teacher-book-locked")


async def test_a_correction_of_a_locked_book_is_checked_approved_and_applied(
    pages: Pages, school: School, cast: Cast
) -> None:
    # Term I is locked in the demo school: the teacher proposes a correction from the book.
    page = await pages.login(cast.teacher)
    await page.goto(
        school.url(
            f"/admin/book-chain?kind=subject&year={CURRENT_YEAR}&class={cast.klass}"
            f"&subject={SUBJECT}&term=hk1"
        )
    )
    await expect(page.locator("#book-stage")).to_have_text("Đã khóa")
    await page.locator(".card", has_text="Đề nghị điều chỉnh").get_by_role("link").first.click()
    await page.wait_for_url(re.compile(r"/admin/corrections/new\?"))
    current = (
        await page.locator("tr", has=page.locator("#new-ck")).locator("td").nth(1).inner_text()
    )
    value = "9" if current.strip() == "10" else "10"
    await page.locator("#new-ck").fill(value)
    await page.locator("#reason").fill("Cộng nhầm điểm bài kiểm tra cuối kỳ")
    await page.locator("#evidence").fill("Bài kiểm tra cuối kỳ I ngày 05/01/2026, đã phúc khảo")
    await pages.shot(page, "teacher-correction-form")
    await page.get_by_role("button", name="Gửi phiếu").click()
    await expect(page.locator("#request-status")).to_have_text("Đã gửi, chờ tổ chuyên môn")
    await pages.shot(page, "teacher-correction-sent")

    head = await pages.login(cast.head)
    await head.get_by_role("link", name=re.compile(r"Việc cần làm")).first.click()
    queue = head.locator('[data-provider="requests_to_check"]')
    await queue.get_by_role("link").first.click()
    await head.locator("#request-comment").fill("Đúng bài đã phúc khảo")
    await head.get_by_role("button", name="Kiểm tra đạt").click()
    await expect(head.locator("#request-status")).to_contain_text("chờ duyệt")

    board = await english_login(pages, school, cast.board)
    await board.locator('[data-provider="requests_to_approve"]').get_by_role("link").first.click()
    await expect(board.locator("#request-cells")).to_contain_text(value.replace(".", ","))
    await pages.shot(board, "board-correction-english")
    await board.get_by_role("button", name="Duyệt và áp dụng").click()
    await expect(board.locator("#request-status")).to_have_text("Đã duyệt và áp dụng")
    await pages.shot(board, "board-correction-applied-english")
