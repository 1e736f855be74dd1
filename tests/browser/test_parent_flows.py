"""Parents in a real browser, on a phone-sized screen: the homeroom teacher creates the
account from the guardian entry and prints the slip; the parent signs in (changing the one-time
password), sees only their child's approved results, downloads the summary, reports a mistake;
the teacher finds it in the to-do inbox and answers; the parent reads the answer. A parent
never opens another pupil or the staff panel."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pytest
from pypdf import PdfReader

from seed.catalogue import CURRENT_YEAR
from tests.browser.support import Pages, School

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None

PHONE = {"width": 360, "height": 740}
NEW_PASSWORD = "Ba mẹ luôn bên con 2025"
MESSAGE = "Điểm giữa kỳ của cháu là 9, không phải như trên trang."
ANSWER = "Cô đã kiểm tra sổ điểm, sẽ đề nghị điều chỉnh. Cảm ơn phụ huynh."


@dataclass(frozen=True)
class Cast:
    teacher: str  # a homeroom teacher
    klass: str
    pupil: str  # id of a pupil of the class with a guardian
    pupil_name: str
    other: str  # id of a pupil of another class


@pytest.fixture(scope="module")
def cast(school: School) -> Cast:
    users = list(school.db.users.find({"roles": "gvcn"}, sort=[("username", 1)]))
    teacher = next(u for u in users if u.get("homeroom_classes"))
    klass = teacher["homeroom_classes"][0]
    pupils = list(
        school.db.students.find(
            {"current.class_name": klass, "current.school_year": CURRENT_YEAR},
            sort=[("code", 1)],
        )
    )
    pupil = next(p for p in pupils if p["profile"].get("guardians"))
    other = school.db.students.find_one({"current.class_name": {"$ne": klass}})
    assert other is not None
    # The board approved the first term of the whole school (the school's lock, Art. 10.4).
    school.db.students.update_one(
        {"_id": pupil["_id"]}, {"$set": {f"years.{CURRENT_YEAR}.locks.hk1.locked": True}}
    )
    return Cast(
        teacher["username"], klass, str(pupil["_id"]), pupil["profile"]["full_name"],
        str(other["_id"]),
    )  # fmt: skip


async def phone_page(pages: Pages, locale: str = "vi-VN") -> Any:
    context = await pages.browser.new_context(
        locale=locale, timezone_id="Asia/Ho_Chi_Minh", viewport=PHONE, is_mobile=True
    )
    return await pages.page_in(context)


async def create_account(pages: Pages, school: School, cast: Cast) -> tuple[Any, str, str]:
    teacher = await pages.login(cast.teacher)
    await teacher.goto(school.url(f"/admin/students/detail?pk={cast.pupil}"))
    await pages.shot(teacher, "record-page-guardians")
    await teacher.locator('#guardians a[data-guardian="0"]').click()
    await expect(teacher.locator("#parent-name")).not_to_have_value("")
    await pages.shot(teacher, "new-account-form")
    await teacher.get_by_role("button", name="Tạo tài khoản và in phiếu").click()
    await expect(teacher.locator("#slip")).to_contain_text("Phiếu tài khoản phụ huynh")
    await expect(teacher.locator("#slip")).to_contain_text(cast.pupil_name)
    await pages.shot(teacher, "slip")
    username = (await teacher.locator("#slip-username").inner_text()).strip()
    password = (await teacher.locator("#slip-password").inner_text()).strip()
    await teacher.locator("#back").click()
    account = teacher.locator(f'#parent-accounts tr[data-account="{username}"]')
    await expect(account).to_contain_text("Chưa đăng nhập lần đầu")
    await pages.shot(teacher, "record-page-parent-accounts")
    return teacher, username, password


async def first_sign_in(page: Any, school: School, username: str, password: str) -> None:
    await page.goto(school.url("/login"))
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(re.compile(r"/account/password"))
    await page.fill("#current_password", password)
    await page.fill("#new_password", NEW_PASSWORD)
    await page.fill("#new_password_again", NEW_PASSWORD)
    await page.click("form.card button[type=submit]")
    await page.wait_for_url(re.compile(r"/phu-huynh/con/"))


async def no_sideways_scroll(page: Any) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"


async def test_a_parent_reports_a_mistake_and_reads_the_answer(
    pages: Pages, school: School, cast: Cast
) -> None:
    teacher, username, password = await create_account(pages, school, cast)

    parent = await phone_page(pages)
    await first_sign_in(parent, school, username, password)
    await expect(parent.locator("#child-name")).to_have_text(cast.pupil_name)
    await expect(parent.locator("#child-picker")).to_have_count(0)  # one child only
    await expect(parent.locator("#period")).to_have_attribute("data-period", "hk1")
    await no_sideways_scroll(parent)
    await pages.shot(parent, "parent-child-hk1")
    async with parent.expect_download() as waiting:
        await parent.locator("#summary-pdf").click()
    download = await waiting.value
    path = await download.path()
    assert path is not None
    summary = "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert cast.pupil_name in unicodedata.normalize("NFC", summary)
    await parent.get_by_role("link", name="Học kỳ II", exact=True).click()
    await expect(parent.locator("#not-approved")).to_contain_text("chưa được duyệt")
    await pages.shot(parent, "parent-child-hk2-not-approved")
    await parent.get_by_role("link", name="Học kỳ I", exact=True).click()

    await parent.locator('li[data-subject="TOAN"] a.report').click()
    await expect(parent.locator("#item-label")).to_contain_text("Môn Toán — Học kỳ I")
    await parent.fill("#message", MESSAGE)
    await pages.shot(parent, "parent-report-form")
    await parent.get_by_role("button", name="Gửi báo sai sót").click()
    await parent.wait_for_url(re.compile(r"/phu-huynh/bao-sai-sot$"))
    await expect(parent.locator("#reports li").first).to_contain_text("Mới")
    await no_sideways_scroll(parent)
    await pages.shot(parent, "parent-report-sent")

    # The report waits in the homeroom teacher's to-do inbox and opens where it is answered.
    await teacher.goto(school.url("/admin/inbox"))
    await expect(teacher.locator("body")).to_contain_text("Phụ huynh báo sai sót chờ trả lời")
    await pages.shot(teacher, "teacher-inbox-with-report")
    await teacher.get_by_role("link", name=re.compile(re.escape(cast.pupil_name))).first.click()
    await teacher.wait_for_url(re.compile(r"/admin/parent-reports"))
    card = teacher.locator("#reports .card").filter(has_text=MESSAGE)
    await expect(card).to_contain_text(cast.pupil_name)
    await card.locator("textarea[name=answer]").fill(ANSWER)
    await card.locator("select[name=status]").select_option("de_nghi_dieu_chinh")
    await pages.shot(teacher, "teacher-answers")
    await card.get_by_role("button", name="Lưu trả lời").click()
    await expect(teacher.get_by_text("Đã lưu trả lời cho phụ huynh.")).to_be_visible()
    await teacher.goto(school.url("/admin/parent-reports?status=de_nghi_dieu_chinh"))
    await expect(teacher.locator("#reports")).to_contain_text(ANSWER)

    await parent.reload()
    first = parent.locator("#reports li").first
    await expect(first).to_contain_text("Đã chuyển thành đề nghị điều chỉnh")
    await expect(first).to_contain_text(ANSWER)
    await pages.shot(parent, "parent-reads-answer")

    # Nothing else of the school: another pupil is not found, the panel sends them home.
    response = await parent.goto(school.url(f"/phu-huynh/con/{cast.other}"))
    assert response is not None
    assert response.status == 404
    await pages.shot(parent, "parent-other-pupil-404")
    await parent.goto(school.url("/admin/students/list"))
    await parent.wait_for_url(re.compile(r"/phu-huynh/con/"))
    response = await parent.goto(school.url(f"/admin/students/detail?pk={cast.other}"))
    assert response is not None
    assert "/admin" not in parent.url


async def test_the_parent_page_with_an_english_browser(
    pages: Pages, school: School, cast: Cast
) -> None:
    _, username, password = await create_account(pages, school, cast)
    parent = await phone_page(pages, "en-US")
    await parent.context.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    await first_sign_in(parent, school, username, password)
    await expect(parent.locator("#summary")).to_contain_text("Kết quả rèn luyện")
    await no_sideways_scroll(parent)
    await pages.shot(parent, "parent-english-browser")
