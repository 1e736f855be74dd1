"""Awards and discipline in the homeroom book: the homeroom teacher adds, edits and removes a
pupil's entries from the book page; each list is saved whole with the write path's guards."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import httpx

from models.student import StudentRecord
from tests.admin.school import YEAR, School, api_headers, post

BOOK = "/admin/my-classes/book"
HOMEROOM = {"kind": "homeroom", "year": YEAR, "class": "7A1", "term": "hk2"}
TOAN = {"kind": "subject", "year": YEAR, "class": "7A1", "subject": "TOAN", "term": "hk2"}
AWARD = {"title": "Học sinh tiêu biểu", "level": "cấp trường", "decided_on": "2026-01-15"}


async def stored(code: str) -> dict[str, Any]:
    raw = await StudentRecord.get_pymongo_collection().find_one({"code": code})
    assert raw is not None
    return raw


async def send(
    client: httpx.AsyncClient,
    row: str,
    kind: str,
    entries: list[dict[str, str]],
    seen: list[dict[str, str]] | None = None,
    book: dict[str, str] = HOMEROOM,
) -> httpx.Response:
    await client.get("/admin/")
    body = {"book": book, "row": row, "kind": kind, "entries": entries, "seen": seen or []}
    return await client.post(f"{BOOK}/entries", json=body, headers=api_headers(client))


def page_rows(html: str) -> dict[str, dict[str, Any]]:
    data = re.search(r'<script type="application/json" id="book-data">(.*?)</script>', html, re.S)
    assert data, "no book data on the page"
    return {r["id"]: r for r in json.loads(data.group(1))["rows"]}


async def test_the_homeroom_teacher_adds_edits_and_removes_awards(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    pid = school.pupil_id("HS7A101")
    page = await homeroom.get(BOOK, params=HOMEROOM)
    assert 'id="entries-dialog"' in page.text
    assert 'aria-label="Thêm khen thưởng trong năm học – ' in page.text
    assert page_rows(page.text)[pid]["lists"]["awards"] == {"items": [], "w": True, "closed": None}

    added = (await send(homeroom, pid, "awards", [AWARD])).json()
    assert added["status"] == "saved"
    assert added["display"] == "Học sinh tiêu biểu (cấp trường)"
    shown = {**AWARD, "decision_no": ""}
    assert added["entries"] == [shown]
    raw = await stored("HS7A101")
    assert raw["years"][YEAR]["awards"] == [
        {
            "title": "Học sinh tiêu biểu",
            "level": "cấp trường",
            "decided_on": datetime(2026, 1, 15),
            "decision_no": None,
        }
    ]
    assert raw["meta"]["reason"] == "Nhập khen thưởng, kỷ luật trên sổ chủ nhiệm"

    second = {"title": "Giải Nhì Toán", "level": "cấp huyện", "decision_no": "12/QĐ-PGD"}
    edited = (await send(homeroom, pid, "awards", [shown, second], seen=[shown])).json()
    assert edited["status"] == "saved"
    assert len((await stored("HS7A101"))["years"][YEAR]["awards"]) == 2
    page = await homeroom.get(BOOK, params=HOMEROOM)
    assert len(page_rows(page.text)[pid]["lists"]["awards"]["items"]) == 2
    assert "Giải Nhì Toán (cấp huyện)" in page.text

    removed = (await send(homeroom, pid, "awards", [], seen=edited["entries"])).json()
    assert removed == {**removed, "status": "saved", "entries": [], "display": ""}
    assert (await stored("HS7A101"))["years"][YEAR]["awards"] == []


async def test_discipline_is_kept_as_its_own_list(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    pid = school.pupil_id("HS7A102")
    entry = {"form": "Khiển trách", "reason": "Nghỉ học không phép 3 buổi"}
    answer = (await send(homeroom, pid, "discipline", [entry])).json()
    assert answer["status"] == "saved"
    assert answer["display"] == "Khiển trách: Nghỉ học không phép 3 buổi"
    raw = await stored("HS7A102")
    assert raw["years"][YEAR]["discipline"][0]["form"] == "Khiển trách"
    assert raw["years"][YEAR]["awards"] == []


async def test_bad_entries_answer_field_by_field_and_nothing_is_written(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    pid = school.pupil_id("HS7A101")
    before = await stored("HS7A101")
    entries = [
        {"title": "  ", "level": "cấp trường"},
        AWARD,
        {"title": "Khen", "decided_on": "15/13/2026", "decision_no": "x" * 61},
    ]
    answer = (await send(homeroom, pid, "awards", entries)).json()
    assert answer["status"] == "invalid"
    assert answer["message"] == "Có mục chưa hợp lệ; hãy sửa các ô được đánh dấu rồi lưu lại"
    assert set(answer["errors"]) == {"0", "2"}
    assert answer["errors"]["0"] == {"title": "Không được để trống"}
    assert set(answer["errors"]["2"]) == {"decided_on", "decision_no"}
    assert answer["errors"]["2"]["decided_on"] == (
        "Ngày không hợp lệ (ghi ngày/tháng/năm, ví dụ 15/01/2026)"
    )
    for message in [*answer["errors"]["0"].values(), *answer["errors"]["2"].values()]:
        assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", message)
    assert (await stored("HS7A101"))["version"] == before["version"]


async def test_a_decision_date_is_typed_day_month_year(school: School) -> None:
    """The dialog shows and takes dates as 15/01/2026 whatever the browser's language."""
    homeroom = await school.login("gv.cn7a1")
    page = await homeroom.get(BOOK, params=HOMEROOM)
    assert "ngày quyết định ghi ngày/tháng/năm" in page.text
    pid = school.pupil_id("HS7A102")
    typed = {**AWARD, "decided_on": "5/1/2026"}
    answer = (await send(homeroom, pid, "awards", [typed])).json()
    assert answer["status"] == "saved", answer
    assert answer["entries"][0]["decided_on"] == "2026-01-05"
    awards = (await stored("HS7A102"))["years"][YEAR]["awards"]
    assert awards[-1]["decided_on"].date().isoformat() == "2026-01-05"


async def test_a_list_changed_since_the_page_was_loaded_is_a_conflict(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    colleague = await school.login("gv.cn7a1")
    pid = school.pupil_id("HS7A103")
    theirs = (await send(colleague, pid, "awards", [AWARD])).json()
    assert theirs["status"] == "saved"
    mine = {"title": "Học sinh Giỏi", "level": "", "decided_on": "", "decision_no": ""}
    answer = (await send(homeroom, pid, "awards", [mine], seen=[])).json()
    assert answer["status"] == "conflict"
    assert answer["by"] == "Hà Thị Chủ"
    assert "ngày" in (answer["at"] or "")
    assert answer["entries"] == theirs["entries"]
    assert [a["title"] for a in (await stored("HS7A103"))["years"][YEAR]["awards"]] == [
        "Học sinh tiêu biểu"
    ]
    # Resolved by keeping mine: sent again with the list the conflict showed.
    kept = (await send(homeroom, pid, "awards", [mine], seen=answer["entries"])).json()
    assert kept["status"] == "saved"
    assert [a["title"] for a in (await stored("HS7A103"))["years"][YEAR]["awards"]] == [
        "Học sinh Giỏi"
    ]


async def test_a_locked_year_keeps_the_lists_read_only(school: School) -> None:
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": "HS7A101"}, {"$set": {f"years.{YEAR}.locks.year.locked": True}}
    )
    homeroom = await school.login("gv.cn7a1")
    pid = school.pupil_id("HS7A101")
    page = await homeroom.get(BOOK, params=HOMEROOM)
    lists = page_rows(page.text)[pid]["lists"]["awards"]
    assert lists["w"] is False
    assert "đã khóa sổ" in lists["closed"]
    answer = (await send(homeroom, pid, "awards", [AWARD])).json()
    assert answer["status"] == "refused"
    assert "đã khóa sổ" in answer["message"]
    assert (await stored("HS7A101"))["years"][YEAR]["awards"] == []


async def test_only_the_class_homeroom_teacher_edits_the_lists(school: School) -> None:
    pid = school.pupil_id("HS7A101")
    other = await school.login("gv.cn7a2")
    response = await send(other, pid, "awards", [AWARD])
    assert response.status_code == 404
    teacher = await school.login("gv.toan")  # sees the pupil, not the homeroom book
    assert (await send(teacher, pid, "awards", [AWARD])).status_code == 404
    # A subject book has no lists, and an unknown list is no book either.
    homeroom = await school.login("gv.cn7a1")
    assert (await send(homeroom, pid, "awards", [AWARD], book=TOAN)).status_code == 404
    assert (await send(homeroom, pid, "grades", [AWARD])).status_code == 404
    # Without the CSRF token nothing is accepted.
    body = {"book": HOMEROOM, "row": pid, "kind": "awards", "entries": [AWARD], "seen": []}
    assert (await homeroom.post(f"{BOOK}/entries", json=body)).status_code == 403
    it = await school.login("it.quantri")
    assert (await post(it, "/admin/preview", {"username": "gv.cn7a1"})).status_code == 303
    previewed = (await send(it, pid, "awards", [AWARD])).json()
    assert previewed["status"] == "refused"
    assert (await stored("HS7A101"))["years"][YEAR]["awards"] == []
