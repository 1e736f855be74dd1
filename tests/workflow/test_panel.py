"""The chain in the panel across three accounts (teacher, group head, board), the server-side
refusals of every write path once a book is submitted or locked, and «Việc cần làm»."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import httpx

from app.workflow import chain
from app.workflow.chain import GapReasons
from tests.admin.school import YEAR, School, api_headers, post

from .helpers import SCORES, TOAN_HK1, approved, as_user, fill_book, raw

PARAMS = {"kind": "subject", "year": YEAR, "class": "7A1", "subject": "TOAN", "term": "hk1"}
PAGE = "/admin/book-chain"
STEP = "/admin/book-chain/step"


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"no field {name}"
    return unescape(found.group(1))


async def save_cell(client: httpx.AsyncClient, pupil: str, text: str) -> dict[str, Any]:
    await client.get("/admin/")
    response = await client.post(
        "/admin/my-classes/book/save",
        json={"book": PARAMS, "edits": [{"row": pupil, "col": "gk", "text": text, "seen": "7"}]},
        headers=api_headers(client),
    )
    assert response.status_code == 200, response.text
    cell: dict[str, Any] = response.json()["cells"][0]
    return cell


async def api_patch(client: httpx.AsyncClient, pupil: str, value: str) -> httpx.Response:
    return await client.patch(
        f"/api/v1/students/{pupil}",
        json={"changes": {f"{SCORES}.gk": value}},
        headers=api_headers(client),
    )


async def test_the_chain_across_three_accounts(school: School) -> None:
    await fill_book(school)
    an = school.pupil_id("HS7A101")
    teacher = await school.login("gv.toan")
    head = await school.login("tt.toan")
    board = await school.login("bgh.ht")

    page = await teacher.get(PAGE, params=PARAMS)
    assert page.status_code == 200
    assert "Đang nhập" in page.text
    assert 'id="submit-form"' in page.text
    assert "Kiểm tra đạt" not in page.text  # not the teacher's step
    inbox = await teacher.get("/admin/inbox")
    assert "Sổ cần nộp" in inbox.text
    assert "Sổ điểm môn Toán lớp 7A1, Học kỳ I" in inbox.text

    done = await post(teacher, STEP, {**PARAMS, "step": "submit", "confirm": "on"})
    assert done.status_code == 303
    page = await teacher.get(PAGE, params=PARAMS)
    assert "Đã nộp" in page.text
    assert 'id="submit-form"' not in page.text

    # Read-only for the teacher on every write path, enforced by the server.
    cell = await save_cell(teacher, an, "5")
    assert cell["status"] == "refused"
    assert "đã nộp, đang chờ kiểm tra" in cell["message"]
    patched = await api_patch(teacher, an, "5")
    assert patched.status_code == 409
    assert "đã nộp" in patched.text

    # The group head sees it waiting, and its count in the menu.
    menu = await head.get("/admin/inbox")
    assert "Việc cần làm (1)" in menu.text
    assert "Sổ chờ kiểm tra" in menu.text
    page = await head.get(PAGE, params=PARAMS)
    assert 'id="check-form"' in page.text
    assert (
        await post(head, STEP, {**PARAMS, "step": "check", "comment": "Đạt"})
    ).status_code == 303

    page = await board.get(PAGE, params=PARAMS)
    assert "Tổ chuyên môn đã kiểm tra" in page.text
    assert "Đinh Thị Tổ" in page.text  # the history shows who checked
    versions = field(page.text, "versions")
    answer = await post(
        board, STEP, {**PARAMS, "step": "approve", "versions": versions, "confirm": "on"}
    )
    assert answer.status_code == 303
    page = await board.get(PAGE, params=PARAMS)
    assert "Ban giám hiệu đã duyệt" in page.text

    cell = await save_cell(teacher, an, "5")
    assert cell["status"] == "refused"
    assert "đã khóa sổ" in cell["message"]
    assert (await api_patch(teacher, an, "5")).status_code == 409
    mine = await teacher.get("/admin/my-classes")
    assert "Ban giám hiệu đã duyệt" in mine.text
    board_page = await board.get("/admin/workflow", params={"year": YEAR, "term": "hk1"})
    assert board_page.status_code == 200
    assert "Sổ điểm môn Toán lớp 7A1" in board_page.text
    assert "chưa được duyệt" in board_page.text  # the other books block the school's lock


async def test_a_refused_step_keeps_what_was_typed(school: School) -> None:
    await fill_book(school, ("HS7A101", "HS7A102"))
    teacher = await school.login("gv.toan")
    hen = school.pupil_id("HS7A103")
    form = {**PARAMS, "step": "submit", "comment": "Ghi chú của tôi", "confirm": "on"}
    answer = await post(teacher, STEP, form)
    assert answer.status_code == 422
    assert "H&#39; Hen Niê" in answer.text or "H' Hen Niê" in answer.text
    assert "Ghi chú của tôi" in answer.text
    answer = await post(teacher, STEP, {**form, f"gap:{hen}": "Ốm"})
    assert answer.status_code == 303


async def test_a_step_without_the_csrf_token_is_refused(school: School) -> None:
    await fill_book(school)
    teacher = await school.login("gv.toan")
    await teacher.get(PAGE, params=PARAMS)
    answer = await teacher.post(STEP, data={**PARAMS, "step": "submit"})
    assert answer.status_code == 403
    page = await teacher.get(PAGE, params=PARAMS)
    assert "Đang nhập" in page.text


async def test_a_book_outside_the_readers_scope_is_404(school: School) -> None:
    other = await school.login("gv.cn7a2")
    assert (await other.get(PAGE, params=PARAMS)).status_code == 404
    answer = await post(other, STEP, {**PARAMS, "step": "submit"})
    assert answer.status_code == 404


async def test_the_correction_queue_in_the_panel(school: School) -> None:
    await approved(school)
    teacher = await school.login("gv.toan")
    an = school.pupil_id("HS7A101")
    page = await teacher.get(PAGE, params=PARAMS)
    assert "Đề nghị điều chỉnh" in page.text
    form = await teacher.get("/admin/corrections/new", params={**PARAMS, "pupil": an})
    assert form.status_code == 200
    refused = await post(
        teacher, "/admin/corrections/new", {**PARAMS, "pupil": an, "new:ck": "9", "reason": ""}
    )
    assert refused.status_code == 422
    assert 'value="9"' in refused.text  # kept
    sent = await post(
        teacher,
        "/admin/corrections/new",
        {**PARAMS, "pupil": an, "new:ck": "9", "reason": "Chấm nhầm", "evidence": "Bài CK"},
    )
    assert sent.status_code == 303
    detail_url = sent.headers["location"]
    head = await school.login("tt.toan")
    queue = await head.get("/admin/corrections")
    assert "Nguyễn Văn An (7A1)" in queue.text
    assert (await post(head, detail_url + "/step", {"step": "check"})).status_code == 303
    board = await school.login("bgh.ht")
    refused = await post(board, detail_url + "/step", {"step": "refuse", "comment": ""})
    assert refused.status_code == 422
    assert "lý do từ chối" in refused.text
    assert (await post(board, detail_url + "/step", {"step": "approve"})).status_code == 303
    shown = await board.get(detail_url)
    assert "Đã duyệt và áp dụng" in shown.text
    # Another teacher's request is not found.
    other = await school.login("gv.cn7a2")
    assert (await other.get(detail_url)).status_code == 404


async def test_a_staff_complaint_arrives_in_the_queue(school: School) -> None:
    teacher = await school.login("gv.toan")
    form = await teacher.get("/admin/corrections/complaint")
    assert form.status_code == 200
    assert 'id="complaint-form"' in form.text
    refused = await post(
        teacher, "/admin/corrections/complaint", {"code": "HS7A201", "reason": "Sai điểm"}
    )
    assert refused.status_code == 422  # 7A2 is not this teacher's class
    assert "Không tìm thấy học sinh" in refused.text
    assert 'value="HS7A201"' in refused.text
    sent = await post(
        teacher,
        "/admin/corrections/complaint",
        {"code": "HS7A101", "subject": "TOAN", "term": "hk1", "reason": "Điểm GK ghi nhầm"},
    )
    assert sent.status_code == 303
    head = await school.login("tt.toan")
    inbox = await head.get("/admin/inbox")
    assert "Phiếu điều chỉnh chờ kiểm tra" in inbox.text
    assert "Khiếu nại: Nguyễn Văn An lớp 7A1" in inbox.text


async def test_an_excel_upload_into_a_submitted_book_is_refused(school: School) -> None:
    await fill_book(school)
    await chain.submit(await as_user(school, "gv.toan"), TOAN_HK1, GapReasons())
    teacher = await school.login("gv.toan")
    an = school.pupil_id("HS7A101")
    edits = json.dumps([{"record_id": an, "column": "gk", "text": "5", "seen": "7"}])
    answer = await post(
        teacher, "/admin/my-classes/book/import/apply", {**PARAMS, "edits": edits, "problems": "0"}
    )
    assert answer.status_code == 200
    assert "Có ô không lưu được" in answer.text
    assert "đã nộp, đang chờ kiểm tra" in answer.text
    record = await raw(school, "HS7A101")
    assert str(record["years"][YEAR]["subjects"]["TOAN"]["hk1"]["gk"]) == "7"


async def test_a_request_page_names_its_first_step_as_sent(school: School) -> None:
    await approved(school)
    teacher = await school.login("gv.toan")
    an = school.pupil_id("HS7A101")
    sent = await post(
        teacher,
        "/admin/corrections/new",
        {**PARAMS, "pupil": an, "new:ck": "8,5", "reason": "Chấm nhầm"},
    )
    page = await teacher.get(sent.headers["location"])
    assert "Gửi phiếu" in page.text
    assert "Nộp sổ" not in page.text
    assert "8,5" in page.text  # scores read the Vietnamese way
