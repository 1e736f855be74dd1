"""«Báo sai sót»: stored through the door, rate-limited, answered by the class's homeroom
teacher only, and the answer shown to the parent."""

from __future__ import annotations

import re

import pytest

from app.errors import Forbidden, InvalidInput, NotFound, TooMany
from app.parents.reports import (
    REPORTS_PER_DAY,
    answer_report,
    list_reports,
    open_report_count,
    submit_report,
)
from app.store import Access, access_for
from app.store.collections import collection
from app.store.directory import find_user
from app.workflow.inbox import inbox
from models.feedback import ParentReport, ReportStatus
from models.resources import AUDITED_RESOURCES
from models.workflow import CorrectionRequest, RequestKind
from tests.admin.school import School, form_token
from tests.changelog.conftest import WaitFor, WorkerHandle
from tests.parents.helpers import YEAR, approve, make_parent, sign_in_parent

CONDUCT = f"years.{YEAR}.conduct.hk1"


async def parent_access(school: School, code: str = "HS7A101") -> Access:
    slip = await make_parent(school, code)
    return await access_for(await find_user(slip.username))


async def test_a_report_is_stored_with_what_the_parent_saw(school: School) -> None:
    await approve("HS7A101", homeroom=True)
    access = await parent_access(school)
    report = await submit_report(access, school.pupil_id("HS7A101"), CONDUCT, "  Con được Tốt ")
    [stored] = await ParentReport.find_all().to_list()
    assert stored.id == report.id
    assert stored.message == "Con được Tốt"
    assert stored.class_name == "7A1"
    assert stored.school_year == YEAR
    assert stored.item_label == "Kết quả rèn luyện — Học kỳ I, năm học 2025-2026"
    assert stored.value_shown == "(chưa có)"
    assert stored.status is ReportStatus.NEW
    assert stored.version == 2  # stored, then linked to its request in the queue
    assert stored.request_id is not None
    assert stored.meta is not None
    assert stored.meta.source == "parent"


async def test_a_report_reaches_the_homeroom_inbox_and_the_correction_queue(
    school: School,
) -> None:
    await approve("HS7A101", homeroom=True)
    access = await parent_access(school)
    report = await submit_report(access, school.pupil_id("HS7A101"), CONDUCT, "Con được Tốt")
    [request] = await CorrectionRequest.find_all().to_list()
    assert str(request.id) == report.request_id
    assert request.kind is RequestKind.PARENT_REPORT
    assert request.student_id == school.pupil_id("HS7A101")
    assert request.reason == "Con được Tốt"
    assert [(c.path, c.old) for c in request.cells] == [(CONDUCT, "(chưa có)")]
    assert request.subject is None
    assert request.term == "hk1"
    teacher = await access_for(school.users["gv.cn7a1"])
    [group] = [g for g in await inbox(teacher) if g.provider.code == "parent_reports"]
    assert [i.report_id for i in group.items] == [str(report.id)]
    other = await access_for(school.users["gv.cn7a2"])
    assert all(g.provider.code != "parent_reports" for g in await inbox(other))
    # Answered, it leaves the inbox.
    await answer_report(teacher, str(report.id), status="da_tra_loi", answer="Đã kiểm tra")
    assert all(g.provider.code != "parent_reports" for g in await inbox(teacher))


async def test_only_an_approved_item_of_ones_own_child_can_be_reported(school: School) -> None:
    access = await parent_access(school)
    with pytest.raises(InvalidInput):  # not approved yet
        await submit_report(access, school.pupil_id("HS7A101"), CONDUCT, "Sai")
    await approve("HS7A101", homeroom=True)
    with pytest.raises(InvalidInput):  # not an item of the page
        await submit_report(access, school.pupil_id("HS7A101"), "profile.guardians", "Sai")
    with pytest.raises(InvalidInput):
        await submit_report(access, school.pupil_id("HS7A101"), CONDUCT, "   ")
    await approve("HS7A102", homeroom=True)
    with pytest.raises(NotFound):
        await submit_report(access, school.pupil_id("HS7A102"), CONDUCT, "Sai")
    assert await ParentReport.count() == 0


async def test_staff_cannot_file_a_report(school: School) -> None:
    await approve("HS7A101", homeroom=True)
    teacher = await access_for(school.users["gv.cn7a1"])
    with pytest.raises((Forbidden, NotFound, InvalidInput)):
        await submit_report(teacher, school.pupil_id("HS7A101"), CONDUCT, "Sai")
    assert await ParentReport.count() == 0


async def test_reports_are_rate_limited_per_account(school: School) -> None:
    await approve("HS7A101", homeroom=True)
    access = await parent_access(school)
    for n in range(REPORTS_PER_DAY):
        await submit_report(access, school.pupil_id("HS7A101"), CONDUCT, f"Lần {n}")
    with pytest.raises(TooMany) as refused:
        await submit_report(access, school.pupil_id("HS7A101"), CONDUCT, "Thêm")
    assert "tối đa 5 báo sai sót trong 24 giờ" in refused.value.message
    assert await ParentReport.count() == REPORTS_PER_DAY


async def test_the_homeroom_teacher_answers_and_the_parent_sees_it(school: School) -> None:
    await approve("HS7A101", homeroom=True)
    access = await parent_access(school)
    report = await submit_report(access, school.pupil_id("HS7A101"), CONDUCT, "Sai")
    teacher = await access_for(school.users["gv.cn7a1"])
    other = await access_for(school.users["gv.cn7a2"])
    office = await access_for(school.users["vp.thuky"])
    assert await open_report_count(teacher) == 1
    assert await open_report_count(other) == 0
    assert await open_report_count(access) == 1
    assert (await list_reports(other)).total == 0
    assert (await list_reports(office)).total == 0
    with pytest.raises(NotFound):
        await answer_report(other, str(report.id), status="da_tra_loi", answer="Đã sửa")
    with pytest.raises(NotFound):  # the parent reads their report but does not answer it
        await answer_report(access, str(report.id), status="da_tra_loi", answer="Tự trả lời")
    with pytest.raises(InvalidInput):
        await answer_report(teacher, str(report.id), status="da_tra_loi", answer=" ")
    answered = await answer_report(
        teacher, str(report.id), status="da_tra_loi", answer="Cô đã kiểm tra, sẽ sửa."
    )
    assert answered.status is ReportStatus.ANSWERED
    assert answered.answered_by == "Hà Thị Chủ"
    assert answered.answered_at is not None
    assert await open_report_count(teacher) == 0
    [seen] = (await list_reports(access)).reports
    assert seen.answer == "Cô đã kiểm tra, sẽ sửa."


async def test_the_parent_page_lists_reports_with_status_and_answer(school: School) -> None:
    await approve("HS7A101", homeroom=True)
    slip = await make_parent(school)
    client = await sign_in_parent(school, slip)
    pupil = school.pupil_id("HS7A101")
    form = await client.get(f"/phu-huynh/con/{pupil}/bao-sai-sot", params={"muc": CONDUCT})
    assert form.status_code == 200
    assert "Kết quả rèn luyện — Học kỳ I" in form.text
    # The server checks the form: no browser bubble, which speaks the browser's language.
    assert re.search(r'<form [^>]*id="report-form"[^>]*novalidate', form.text)
    token = await form_token(client, f"/phu-huynh/con/{pupil}/bao-sai-sot?muc={CONDUCT}")
    empty = await client.post(
        f"/phu-huynh/con/{pupil}/bao-sai-sot",
        data={"muc": CONDUCT, "message": "", "csrftoken": token},
    )
    assert empty.status_code == 422
    assert "Hãy ghi rõ sai sót" in empty.text
    sent = await client.post(
        f"/phu-huynh/con/{pupil}/bao-sai-sot",
        data={"muc": CONDUCT, "message": "Cháu được Tốt cả kỳ", "csrftoken": token},
    )
    assert sent.status_code == 303
    listed = await client.get("/phu-huynh/bao-sai-sot")
    assert "Cháu được Tốt cả kỳ" in listed.text
    assert "Mới" in listed.text
    [report] = await ParentReport.find_all().to_list()
    teacher = await access_for(school.users["gv.cn7a1"])
    await answer_report(teacher, str(report.id), status="dang_xu_ly", answer="Cô đang xem lại")
    listed = await client.get("/phu-huynh/bao-sai-sot")
    assert "Đang xử lý" in listed.text
    assert "Cô đang xem lại" in listed.text


async def test_a_post_without_the_csrf_token_is_refused(school: School) -> None:
    await approve("HS7A101", homeroom=True)
    client = await sign_in_parent(school, await make_parent(school))
    pupil = school.pupil_id("HS7A101")
    response = await client.post(
        f"/phu-huynh/con/{pupil}/bao-sai-sot", data={"muc": CONDUCT, "message": "Sai"}
    )
    assert response.status_code == 403
    assert await ParentReport.count() == 0


async def test_reports_and_answers_are_in_the_change_log(
    school: School, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    await approve("HS7A101", homeroom=True)
    slip = await make_parent(school)
    # The worker's first start logs every stored record (the baseline); then it follows.
    stored = sum([await collection(r).count_documents({}) for r in AUDITED_RESOURCES])
    worker.start()
    assert len(await wait_for_entries(stored, kind="baseline")) == stored
    access = await access_for(await find_user(slip.username))
    report = await submit_report(access, school.pupil_id("HS7A101"), CONDUCT, "Sai rồi")
    teacher = await access_for(school.users["gv.cn7a1"])
    await answer_report(teacher, str(report.id), status="da_tra_loi", answer="Đã sửa")
    [insert, queued, update] = await wait_for_entries(3, collection="parent_reports")
    assert insert["op"] == "insert"
    assert insert["source"] == "parent"
    assert [d["path"] for d in queued["diff"]] == ["request_id"]
    assert queued["reason"] == "Báo sai sót vào hàng chờ điều chỉnh"
    [request] = await wait_for_entries(1, collection="corrections")
    assert request["op"] == "insert"
    assert update["op"] == "update"
    assert update["record_label"].startswith("Báo sai sót về Nguyễn Văn An")
    assert update["actor_name"] == "Hà Thị Chủ"
    assert {d["path"] for d in update["diff"]} >= {"status", "answer", "answered_by"}
