"""Correction requests after a lock: proposed from the locked book, checked by the group,
approved (applied through the lock, linked from the change log) or refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bson import Decimal128, ObjectId

from app.context import Actor
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.workflow import requests
from app.workflow.inbox import inbox
from app.workflow.requests import Proposal
from models.common import WriteSource
from models.student import StudentRecord
from models.workflow import RequestKind, RequestStatus
from tests.admin.school import YEAR, School

from .helpers import SCORES, TOAN_HK1, approved, as_user, fill_book, raw, slip_in


async def test_a_correction_approved_is_applied_through_the_lock_and_linked(school: School) -> None:
    await approved(school)
    teacher = await as_user(school, "gv.toan")
    head = await as_user(school, "tt.toan")
    board = await as_user(school, "bgh.ht")
    an = school.pupil_id("HS7A101")
    request = await requests.propose(
        teacher,
        TOAN_HK1,
        an,
        [Proposal("ck", "9,5")],
        "Chấm nhầm bài cuối kỳ",
        "Bài kiểm tra cuối kỳ ngày 10/1, đã phúc khảo",
    )
    assert request.status is RequestStatus.SUBMITTED
    assert [(c.path, c.old, c.new) for c in request.cells] == [(f"{SCORES}.ck", "8", "9.5")]
    # The teacher cannot check or approve their own request.
    with pytest.raises(Forbidden):
        await requests.check_request(teacher, str(request.id), None)
    request = await requests.check_request(head, str(request.id), "Đúng bài đã phúc khảo")
    assert request.status is RequestStatus.CHECKED
    request = await requests.approve_request(board, str(request.id), "Đồng ý")
    assert request.status is RequestStatus.APPLIED
    assert [s.kind.value for s in request.steps] == ["submit", "check", "approve", "apply"]
    record = await raw(school, "HS7A101")
    toan = record["years"][YEAR]["subjects"]["TOAN"]
    assert toan["hk1"]["ck"].to_decimal() == Decimal("9.5")
    assert toan["locks"]["hk1"]["locked"] is True  # still locked
    assert toan["hk1"]["average"].to_decimal() != Decimal("0")  # derived again
    meta = record["meta"]
    assert meta["source"] == WriteSource.CORRECTION.value
    assert meta["correction"] == str(request.id)


async def test_a_correction_refused_changes_nothing(school: School) -> None:
    await approved(school)
    teacher = await as_user(school, "gv.toan")
    board = await as_user(school, "bgh.ht")
    an = school.pupil_id("HS7A101")
    request = await requests.propose(teacher, TOAN_HK1, an, [Proposal("gk", "10")], "Nhầm", None)
    before = await raw(school, "HS7A101")
    with pytest.raises(InvalidInput, match="lý do từ chối"):
        await requests.refuse_request(board, str(request.id), " ")
    request = await requests.refuse_request(board, str(request.id), "Không có minh chứng")
    assert request.status is RequestStatus.REFUSED
    assert request.decision == "Không có minh chứng"
    after = await raw(school, "HS7A101")
    assert after["version"] == before["version"]
    with pytest.raises(Conflict):
        await requests.approve_request(board, str(request.id), None)


async def test_a_cell_changed_since_the_request_is_refused_on_approval(school: School) -> None:
    await approved(school)
    teacher = await as_user(school, "gv.toan")
    head = await as_user(school, "tt.toan")
    board = await as_user(school, "bgh.ht")
    an = school.pupil_id("HS7A101")
    request = await requests.propose(teacher, TOAN_HK1, an, [Proposal("ck", "9")], "Nhầm", None)
    await requests.check_request(head, str(request.id), None)
    await slip_in(school, "HS7A101", f"{SCORES}.ck", Decimal("4"))
    with pytest.raises(Conflict, match="đã thay đổi sau khi lập phiếu"):
        await requests.approve_request(board, str(request.id), None)
    assert (await raw(school, "HS7A101"))["years"][YEAR]["subjects"]["TOAN"]["hk1"][
        "ck"
    ].to_decimal() == 4


async def test_corrections_only_for_locked_books_and_only_in_scope(school: School) -> None:
    await fill_book(school)
    teacher = await as_user(school, "gv.toan")
    an = school.pupil_id("HS7A101")
    with pytest.raises(InvalidInput, match="chưa khóa sổ"):
        await requests.propose(teacher, TOAN_HK1, an, [Proposal("ck", "9")], "Nhầm", None)
    await approved(school)
    request = await requests.propose(teacher, TOAN_HK1, an, [Proposal("ck", "9")], "Nhầm", None)
    # Another group's head does not see it: 404, not 403.
    other = await as_user(school, "gv.cn7a2")
    with pytest.raises((NotFound, Forbidden)):
        await requests.check_request(other, str(request.id), None)
    head_of_other = await as_user(school, "tt.toan")
    assert (await requests.get_request(head_of_other, str(request.id))).id == request.id


async def test_the_same_score_written_differently_is_no_correction(school: School) -> None:
    await approved(school)
    teacher = await as_user(school, "gv.toan")
    an = school.pupil_id("HS7A101")
    # Stored as 8.0, shown "8,0" (as the demo school's seeded scores are; the app's own
    # writes store 8).
    await StudentRecord.get_pymongo_collection().update_one(
        {"_id": ObjectId(an)}, {"$set": {f"{SCORES}.ck": Decimal128("8.0")}}
    )
    for same in ("8,0", "8.0", "8"):
        with pytest.raises(InvalidInput, match="khác giá trị cũ"):
            await requests.propose(teacher, TOAN_HK1, an, [Proposal("ck", same)], "Nhầm", None)
    request = await requests.propose(teacher, TOAN_HK1, an, [Proposal("ck", "8,5")], "Nhầm", None)
    assert [c.new for c in request.cells] == ["8.5"]


async def test_a_parent_report_arrives_in_the_boards_queue(school: School) -> None:
    board = await as_user(school, "bgh.ht")
    filed = await requests.file_request(
        kind=RequestKind.PARENT_REPORT,
        school_year=YEAR,
        class_name="7A1",
        student_id=school.pupil_id("HS7A101"),
        student_name="Nguyễn Văn An",
        reason="Số buổi nghỉ học kỳ I không đúng",
        requested_by="parent:1",
        requested_by_name="Mẹ của Nguyễn Văn An",
        actor=Actor(id="parent:1", name="Mẹ của Nguyễn Văn An", role="parent"),
    )
    groups = {g.provider.code: g.items for g in await inbox(board)}
    assert [i.request_id for i in groups["requests_to_check"]] == [str(filed.id)]
    decided = await requests.approve_request(board, str(filed.id), "Đã kiểm tra sổ điểm danh")
    assert decided.status is RequestStatus.APPLIED
