"""The staff side: parents' accounts from the pupil's record page (slip, sibling link, reset),
and the homeroom teacher's list of reports with the answer form."""

from __future__ import annotations

import re

import httpx

from app.auth.passwords import verify_password
from app.parents.reports import submit_report
from app.store import access_for
from app.store.directory import find_user
from models.feedback import ParentReport, ReportStatus
from models.user import AccountKind, User
from tests.admin.school import School, post
from tests.parents.helpers import YEAR, approve, make_parent

CONDUCT = f"years.{YEAR}.conduct.hk1"


def slip_value(page: httpx.Response, name: str) -> str:
    match = re.search(rf'id="slip-{name}">([^<]+)<', page.text)
    assert match, page.text[:2000]
    return match.group(1)


async def test_the_office_creates_an_account_and_prints_the_slip(school: School) -> None:
    office = await school.login("vp.thuky")
    pupil = school.pupil_id("HS7A101")
    detail = await office.get(f"/admin/students/detail?pk={pupil}")
    assert "Tạo tài khoản phụ huynh" in detail.text
    slip = await post(
        office, "/admin/parent-accounts/create", {"student_id": pupil, "guardian": "0"}
    )
    assert slip.status_code == 200
    assert "Phiếu tài khoản phụ huynh" in slip.text
    assert "Mẹ của Nguyễn Văn An" in slip.text
    assert "https://testserver/login" in slip.text
    username, password = slip_value(slip, "username"), slip_value(slip, "password")
    account = await find_user(username)
    assert account is not None
    assert account.kind is AccountKind.PARENT
    assert account.children == [pupil]
    assert account.roles == ["phuhuynh"]
    assert account.phone == "0912345678"
    assert account.must_change_password
    assert verify_password(account.password_hash, password)
    assert account.meta is not None
    assert account.meta.actor_name == "Mùa Thị Văn"
    # The record page lists the account now.
    detail = await office.get(f"/admin/students/detail?pk={pupil}")
    assert f'data-account="{username}"' in detail.text


async def test_a_wrong_phone_keeps_what_was_typed(school: School) -> None:
    office = await school.login("vp.thuky")
    pupil = school.pupil_id("HS7A101")
    form = {"student_id": pupil, "guardian": "0", "full_name": "Trần Thị Mơ", "phone": "09abc"}
    refused = await post(office, "/admin/parent-accounts/create", form)
    assert refused.status_code == 422
    assert "Số điện thoại" in refused.text
    assert 'value="Trần Thị Mơ"' in refused.text
    assert 'value="09abc"' in refused.text
    assert await User.find({"kind": "parent"}).count() == 0
    form["phone"] = "0987 654 321"
    slip = await post(office, "/admin/parent-accounts/create", form)
    assert slip_value(slip, "username") == "ph.mott"
    account = await find_user("ph.mott")
    assert account is not None
    assert account.full_name == "Trần Thị Mơ"


async def test_a_homeroom_teacher_manages_only_their_class(school: School) -> None:
    teacher = await school.login("gv.cn7a1")
    own = await post(
        teacher,
        "/admin/parent-accounts/create",
        {"student_id": school.pupil_id("HS7A102"), "guardian": "0"},
    )
    assert own.status_code == 200
    other = await post(
        teacher,
        "/admin/parent-accounts/create",
        {"student_id": school.pupil_id("HS7A201"), "guardian": "0"},
    )
    assert other.status_code == 303  # back, with «not found»: nothing created
    parents = await User.find({"kind": "parent"}).to_list()
    assert [p.children for p in parents] == [[school.pupil_id("HS7A102")]]


async def test_a_subject_teacher_cannot_create_parent_accounts(school: School) -> None:
    teacher = await school.login("gv.toan")
    pupil = school.pupil_id("HS7A101")
    detail = await teacher.get(f"/admin/students/detail?pk={pupil}")
    assert "Tạo tài khoản phụ huynh" not in detail.text
    refused = await post(
        teacher, "/admin/parent-accounts/create", {"student_id": pupil, "guardian": "0"}
    )
    assert "slip-password" not in refused.text


async def test_linking_a_sibling_and_resetting_the_password(school: School) -> None:
    slip = await make_parent(school, "HS7A101")
    office = await school.login("vp.thuky")
    sibling = school.pupil_id("HS7A201")
    linked = await post(
        office, "/admin/parent-accounts/link", {"student_id": sibling, "username": slip.username}
    )
    assert linked.status_code == 303
    account = await find_user(slip.username)
    assert account is not None
    assert sorted(account.children) == sorted([school.pupil_id("HS7A101"), sibling])
    unknown = await post(
        office, "/admin/parent-accounts/link", {"student_id": sibling, "username": "vp.thuky"}
    )
    assert unknown.status_code == 303  # a staff account is never linked
    assert (await find_user("vp.thuky")).children == []  # type: ignore[union-attr]
    reset = await post(
        office,
        "/admin/parent-accounts/reset",
        {"student_id": sibling, "account_id": str(account.id)},
    )
    assert "cấp lại mật khẩu" in reset.text
    new_password = slip_value(reset, "password")
    account = await find_user(slip.username)
    assert account is not None
    assert verify_password(account.password_hash, new_password)
    assert not verify_password(account.password_hash, slip.password)
    assert account.must_change_password


async def test_the_homeroom_teacher_answers_in_the_panel(school: School) -> None:
    await approve("HS7A101", homeroom=True)
    slip = await make_parent(school)
    parent = await access_for(await find_user(slip.username))
    report = await submit_report(parent, school.pupil_id("HS7A101"), CONDUCT, "Cháu được Tốt")
    teacher = await school.login("gv.cn7a1")
    listed = await teacher.get("/admin/parent-reports")
    assert listed.status_code == 200
    assert "Cháu được Tốt" in listed.text
    assert 'id="open-count"' in listed.text
    other = await school.login("gv.cn7a2")
    assert "Cháu được Tốt" not in (await other.get("/admin/parent-reports")).text
    saved = await post(
        teacher,
        "/admin/parent-reports/answer",
        {
            "report_id": str(report.id),
            "version": str(report.version),
            "status": "da_tra_loi",
            "answer": "Cô đã sửa lại.",
            "filter": "open",
        },
    )
    assert saved.status_code == 303
    stored = await ParentReport.get(report.id)
    assert stored is not None
    assert stored.status is ReportStatus.ANSWERED
    assert stored.answer == "Cô đã sửa lại."
    # An answer from a form opened before is refused, not silently overwritten.
    stale = await post(
        teacher,
        "/admin/parent-reports/answer",
        {"report_id": str(report.id), "version": "1", "status": "moi", "answer": "Cũ"},
    )
    assert stale.status_code == 303
    assert (await ParentReport.get(report.id)).answer == "Cô đã sửa lại."  # type: ignore[union-attr]


async def test_the_reports_page_is_for_those_the_roles_allow(school: School) -> None:
    office = await school.login("vp.thuky")
    assert (await office.get("/admin/parent-reports")).status_code in (403, 404)
    board = await school.login("bgh.ht")
    page = await board.get("/admin/parent-reports")
    assert page.status_code == 200
    assert "Lưu trả lời" not in page.text
