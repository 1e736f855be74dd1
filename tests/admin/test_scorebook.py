"""The score books as teachers reach them: «Lớp của tôi», the subject book and the homeroom
book, their live checks and their save (one batch, an answer per cell, conflicts)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from html import unescape
from typing import Any

import httpx
from bson.decimal128 import Decimal128

from app.grading import term_average
from app.scorebook.names import class_list_key
from models.student import StudentRecord
from tests.admin.school import YEAR, School, api_headers, post

BOOK = "/admin/my-classes/book"
TOAN = {"kind": "subject", "year": YEAR, "class": "7A1", "subject": "TOAN", "term": "hk2"}
HOMEROOM = {"kind": "homeroom", "year": YEAR, "class": "7A1", "term": "hk2"}
SCORES = f"years.{YEAR}.subjects.TOAN"


async def stored(code: str) -> dict[str, Any]:
    raw = await StudentRecord.get_pymongo_collection().find_one({"code": code})
    assert raw is not None
    return raw


def at(doc: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(doc, list):
            doc = doc[int(part)] if int(part) < len(doc) else None
        else:
            doc = (doc or {}).get(part)
    return doc.to_decimal() if isinstance(doc, Decimal128) else doc


async def set_raw(code: str, changes: dict[str, Any]) -> None:
    """Another tool's change, straight into the database (stamped as someone else)."""
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": code}, {"$set": changes, "$inc": {"version": 1}}
    )


async def save(client: httpx.AsyncClient, book: dict[str, str], edits: list[dict[str, Any]]) -> Any:
    await client.get("/admin/")
    response = await client.post(
        f"{BOOK}/save", json={"book": book, "edits": edits}, headers=api_headers(client)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def check(client: httpx.AsyncClient, book: dict[str, str], rows: dict[str, Any]) -> Any:
    await client.get("/admin/")
    response = await client.post(
        f"{BOOK}/check", json={"book": book, "rows": rows}, headers=api_headers(client)
    )
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def by_cell(answer: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["record_id"], c["column"]): c for c in answer["cells"]}


def headers(html: str) -> list[str]:
    return re.findall(r'<th scope="col"[^>]*data-col="[^"]+"[^>]*>([^<]+)</th>', html)


def names(html: str) -> list[str]:
    found = re.findall(r'<th scope="row" class="hocba-name">([^<]+)<', html)
    return [unescape(n).strip() for n in found]


def test_class_list_order_is_given_name_first_ignoring_diacritics() -> None:
    pupils = [
        "Trần Văn Đức",
        "Nguyễn Văn Ân",
        "Lê Thị Ân",
        "Nguyễn Văn An",
        "Phạm Dũng",
        "Ksor Thị H'Lan",
        "Y Bhim Mlô",
    ]
    ordered = sorted(pupils, key=class_list_key)
    assert ordered == [
        "Lê Thị Ân",
        "Nguyễn Văn An",
        "Nguyễn Văn Ân",
        "Trần Văn Đức",
        "Phạm Dũng",
        "Ksor Thị H'Lan",
        "Y Bhim Mlô",
    ]


async def test_a_subject_teacher_lands_on_their_classes_with_progress(school: School) -> None:
    await set_raw("HS7A101", {f"{SCORES}.hk1.tx": [Decimal128("8"), Decimal128("7")]})
    teacher = await school.login("gv.toan")
    page = await teacher.get("/admin/my-classes")
    assert page.status_code == 200
    row = re.search(r'<tr data-book="subject-7A1-TOAN">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    # Toán in grade 7: 4 regular assessments + mid + final, 3 pupils.
    assert "2/18 ô" in row.group(1)
    assert "Đang nhập" in row.group(1)
    assert "0/18 ô" in row.group(1)
    assert "Chưa nhập" in row.group(1)
    assert "homeroom" not in page.text.split('id="my-books"')[1]
    menu = await teacher.get("/admin/", follow_redirects=True)
    assert "Lớp của tôi" in menu.text


async def test_a_homeroom_teacher_sees_their_class_book(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    page = await homeroom.get("/admin/my-classes")
    assert '<tr data-book="homeroom-7A1-">' in page.text
    assert "Sổ chủ nhiệm" in page.text


async def test_staff_without_classes_get_no_menu_entry_and_no_page(school: School) -> None:
    for username in ("vp.thuky", "nv.moi", "it.quantri"):
        client = await school.login(username)
        home = await client.get("/admin/")
        assert "Lớp của tôi" not in home.text, username
        page = await client.get("/admin/my-classes")
        assert page.status_code == 403, username
        book = await client.get(BOOK, params=TOAN)
        assert book.status_code == 403, username


async def test_approvers_without_classes_open_a_book_read_only(school: School) -> None:
    """The board and a group head who teaches no class open the books they check and approve
    (the chain page links to them), read-only; the menu entry stays a teacher's."""
    for username in ("bgh.ht", "tt.toan"):
        client = await school.login(username)
        home = await client.get("/admin/")
        assert "Lớp của tôi" not in home.text, username
        book = await client.get(BOOK, params=TOAN)
        assert book.status_code == 200, username
        assert "Sổ điểm môn Toán lớp 7A1" in unescape(book.text), username
        edits = [{"row": school.pupil_id("HS7A101"), "col": "tx1", "text": "9", "seen": None}]
        response = await client.post(
            f"{BOOK}/save", json={"book": TOAN, "edits": edits}, headers=api_headers(client)
        )
        assert response.status_code == 403, username
    assert at(await stored("HS7A101"), f"{SCORES}.hk2.tx.0") is None


async def test_the_subject_book_has_the_catalogues_columns_and_class_list_order(
    school: School,
) -> None:
    teacher = await school.login("gv.toan")
    page = await teacher.get(BOOK, params=TOAN)
    assert page.status_code == 200, page.text
    assert headers(page.text) == ["TX1", "TX2", "TX3", "TX4", "GK", "CK", "ĐTBmhk", "Nhận xét"]
    assert names(page.text) == ["Nguyễn Văn An", "Ksor Thị H'Lan", "H' Hen Niê"]
    assert 'id="save"' in page.text
    assert "readonly title" not in page.text
    comment = await teacher.get(BOOK, params={**TOAN, "subject": "GDTC"})
    assert comment.status_code == 404  # not their subject: not revealed
    other = await teacher.get(BOOK, params={**TOAN, "class": "7A2"})
    assert other.status_code == 404


async def test_a_comment_subject_takes_pass_or_fail_and_shows_the_term_result(
    school: School,
) -> None:
    homeroom = await school.login("gv.cn7a1")
    page = await homeroom.get(BOOK, params={**TOAN, "subject": "GDTC"})
    assert headers(page.text) == ["TX1", "TX2", "GK", "CK", "KQ học kỳ", "Nhận xét"]
    pid = school.pupil_id("HS7A101")
    live = await check(
        homeroom,
        {**TOAN, "subject": "GDTC"},
        {pid: {"tx1": "d", "tx2": "Đ", "gk": "cd", "ck": "8"}},
    )
    assert live[pid]["errors"] == {
        "ck": "Giáo dục thể chất là môn đánh giá bằng nhận xét: cần nhập Đạt hoặc Chưa đạt"
    }


async def test_typed_cells_are_checked_and_the_term_average_computed_by_the_engine(
    school: School,
) -> None:
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    typed = {"tx1": "8,5", "tx2": "7.5", "tx3": "9", "tx4": "6", "gk": "7", "ck": "8"}
    live = await check(teacher, TOAN, {pid: typed})
    expected = term_average(
        regular=[Decimal("8.5"), Decimal("7.5"), Decimal(9), Decimal(6)],
        mid=Decimal(7),
        final=Decimal(8),
    )
    assert live[pid]["errors"] == {}
    assert live[pid]["computed"]["avg"] == str(expected).replace(".", ",")
    bad = await check(teacher, TOAN, {pid: {"tx1": "11", "tx2": "d", "gk": "8,55"}})
    assert bad[pid]["errors"] == {
        "tx1": "Điểm phải nằm trong khoảng 0 đến 10",
        "tx2": "Toán là môn đánh giá bằng điểm số: cần nhập điểm từ 0 đến 10",
        "gk": "Điểm chỉ được có tối đa một chữ số thập phân",
    }
    assert bad[pid]["computed"]["avg"] == ""


async def test_saving_a_column_writes_each_pupil_once_and_answers_per_cell(school: School) -> None:
    teacher = await school.login("gv.toan")
    codes = ["HS7A101", "HS7A102", "HS7A103"]
    before = {c: (await stored(c))["version"] for c in codes}
    edits = [
        {"row": school.pupil_id(c), "col": "tx1", "text": t, "seen": None}
        for c, t in zip(codes, ["8,5", "7", "10"], strict=True)
    ]
    answer = await save(teacher, TOAN, edits)
    assert answer["counts"] == {"saved": 3, "refused": 0, "conflict": 0}
    cells = by_cell(answer)
    assert cells[(school.pupil_id("HS7A101"), "tx1")]["display"] == "8,5"
    for code, value in zip(codes, ["8.5", "7", "10"], strict=True):
        raw = await stored(code)
        assert at(raw, f"{SCORES}.hk2.tx.0") == Decimal(value)
        assert raw["version"] == before[code] + 1
        assert raw["meta"]["source"] == "grid"
        assert raw["meta"]["actor_name"] == "Sùng Văn Toán"


async def test_a_later_assessment_entered_first_keeps_the_earlier_places_blank(
    school: School,
) -> None:
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A102")
    answer = await save(teacher, TOAN, [{"row": pid, "col": "tx3", "text": "6", "seen": None}])
    assert answer["counts"]["saved"] == 1
    assert at(await stored("HS7A102"), f"{SCORES}.hk2.tx") == [None, None, Decimal128("6")]


async def test_a_completed_row_stores_the_average_shown_while_typing(school: School) -> None:
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    typed = {"tx1": "8", "tx2": "9", "tx3": "7", "tx4": "6", "gk": "8", "ck": "9,5"}
    live = await check(teacher, TOAN, {pid: typed})
    edits = [{"row": pid, "col": c, "text": t, "seen": None} for c, t in typed.items()]
    answer = await save(teacher, TOAN, edits)
    assert answer["counts"]["saved"] == 6
    assert answer["rows"][pid]["avg"]["display"] == live[pid]["computed"]["avg"]
    average = at(await stored("HS7A101"), f"{SCORES}.hk2.average")
    assert str(average).replace(".", ",") == live[pid]["computed"]["avg"]


async def test_a_bad_cell_is_never_saved_and_the_rest_of_the_row_is(school: School) -> None:
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    edits = [
        {"row": pid, "col": "tx1", "text": "12", "seen": None},
        {"row": pid, "col": "gk", "text": "7", "seen": None},
    ]
    cells = by_cell(await save(teacher, TOAN, edits))
    assert cells[(pid, "tx1")]["status"] == "refused"
    assert cells[(pid, "tx1")]["message"] == "Điểm phải nằm trong khoảng 0 đến 10"
    assert cells[(pid, "gk")]["status"] == "saved"
    raw = await stored("HS7A101")
    assert at(raw, f"{SCORES}.hk2.tx") == []
    assert at(raw, f"{SCORES}.hk2.gk") == Decimal(7)


async def test_a_cell_changed_by_someone_else_is_a_conflict_not_overwritten(
    school: School,
) -> None:
    teacher = await school.login("gv.toan")
    colleague = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    # Both opened the page on an empty row; the colleague saves first.
    first = await save(colleague, TOAN, [{"row": pid, "col": "gk", "text": "6", "seen": None}])
    assert first["counts"]["saved"] == 1
    edits = [
        {"row": pid, "col": "gk", "text": "9", "seen": None},
        {"row": pid, "col": "ck", "text": "8", "seen": None},
    ]
    cells = by_cell(await save(teacher, TOAN, edits))
    conflict = cells[(pid, "gk")]
    assert conflict["status"] == "conflict"
    assert (conflict["display"], conflict["by"]) == ("6", "Sùng Văn Toán")
    assert conflict["at"]
    assert "ngày" in conflict["at"]
    assert cells[(pid, "ck")]["status"] == "saved"  # the pupil's other cell is not held back
    raw = await stored("HS7A101")
    assert at(raw, f"{SCORES}.hk2.gk") == Decimal(6)
    # Resolved by keeping mine: the page now sends the value it was shown in the conflict.
    again = await save(teacher, TOAN, [{"row": pid, "col": "gk", "text": "9", "seen": "6"}])
    assert again["counts"]["saved"] == 1
    assert at(await stored("HS7A101"), f"{SCORES}.hk2.gk") == Decimal(9)


async def test_a_locked_term_is_read_only_with_its_reason_and_refuses_writes(
    school: School,
) -> None:
    await StudentRecord.get_pymongo_collection().update_many(
        {"current.class_name": "7A1"}, {"$set": {f"years.{YEAR}.locks.hk1.locked": True}}
    )
    teacher = await school.login("gv.toan")
    page = await teacher.get(BOOK, params={**TOAN, "term": "hk1"})
    assert 'id="book-locked"' in page.text
    assert "Học kỳ I năm học 2025-2026 đã khóa sổ" in page.text
    assert 'id="save"' not in page.text
    assert page.text.count("readonly title=") == page.text.count('class="hocba-cell"')
    pid = school.pupil_id("HS7A101")
    answer = await save(
        teacher, {**TOAN, "term": "hk1"}, [{"row": pid, "col": "gk", "text": "7", "seen": None}]
    )
    cell = by_cell(answer)[(pid, "gk")]
    assert cell["status"] == "refused"
    assert "đã khóa sổ" in cell["message"]
    assert at(await stored("HS7A101"), f"{SCORES}.hk1.gk") is None
    open_term = await teacher.get(BOOK, params=TOAN)
    assert 'id="book-locked"' not in open_term.text
    assert "readonly title" not in open_term.text


async def test_cells_outside_the_users_field_rules_are_read_only(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    page = await homeroom.get(BOOK, params=TOAN)
    assert page.status_code == 200
    assert "Bạn chỉ được xem sổ này" in page.text
    assert 'id="save"' not in page.text
    pid = school.pupil_id("HS7A101")
    cell = by_cell(await save(homeroom, TOAN, [{"row": pid, "col": "gk", "text": "7"}]))
    assert cell[(pid, "gk")]["status"] == "refused"
    assert "không có quyền sửa" in cell[(pid, "gk")]["message"]


async def test_a_pupil_outside_the_book_is_refused(school: School) -> None:
    teacher = await school.login("gv.toan")
    outsider = school.pupil_id("HS7A201")
    answer = await save(teacher, TOAN, [{"row": outsider, "col": "gk", "text": "7"}])
    assert answer["cells"][0]["status"] == "refused"
    assert at(await stored("HS7A201"), f"{SCORES}.hk2.gk") is None


async def test_saving_needs_the_csrf_token(school: School) -> None:
    teacher = await school.login("gv.toan")
    await teacher.get("/admin/")
    pid = school.pupil_id("HS7A101")
    body = {"book": TOAN, "edits": [{"row": pid, "col": "gk", "text": "7"}]}
    response = await teacher.post(f"{BOOK}/save", json=body)
    assert response.status_code == 403
    assert at(await stored("HS7A101"), f"{SCORES}.hk2.gk") is None


async def test_the_homeroom_teacher_enters_conduct_and_absences(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    page = await homeroom.get(BOOK, params=HOMEROOM)
    assert headers(page.text) == [
        "Rèn luyện",
        "Nghỉ CP",
        "Nghỉ KP",
        "Học tập",
        "Nhận xét GVCN",
        "Khen thưởng",
        "Kỷ luật",
    ]
    pid = school.pupil_id("HS7A102")
    edits = [
        {"row": pid, "col": "conduct", "text": "t", "seen": None},
        {"row": pid, "col": "excused", "text": "2", "seen": None},
        {"row": pid, "col": "unexcused", "text": "x", "seen": None},
        {"row": pid, "col": "comment", "text": "Chăm ngoan, tiến bộ", "seen": None},
    ]
    cells = by_cell(await save(homeroom, HOMEROOM, edits))
    assert cells[(pid, "conduct")]["display"] == "Tốt"
    assert cells[(pid, "unexcused")]["status"] == "refused"
    raw = await stored("HS7A102")
    assert at(raw, f"years.{YEAR}.conduct.hk2") == "T"
    assert at(raw, f"years.{YEAR}.absences.hk2.excused") == 2
    assert at(raw, f"years.{YEAR}.homeroom_comment") == "Chăm ngoan, tiến bộ"
    # The subject teacher may not write conduct.
    teacher = await school.login("gv.toan")
    refused = await teacher.get(BOOK, params=HOMEROOM)
    assert refused.status_code == 404


async def test_the_homeroom_book_lists_everything_still_missing(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    page = await homeroom.get(BOOK, params=HOMEROOM)
    missing = unescape(page.text.split('id="missing"')[1])
    # Every pupil, every missing item (three subjects × two terms at least), none cut off.
    for name in ("Nguyễn Văn An", "Ksor Thị H'Lan", "H' Hen Niê"):
        assert name in missing
    raw = await stored("HS7A101")
    assert all(item in missing for item in raw["years"][YEAR]["pending"])
    assert len(raw["years"][YEAR]["pending"]) > 6


async def test_the_book_shows_when_each_column_was_filled_and_the_late_share(
    school: School,
) -> None:
    log = StudentRecord.get_pymongo_collection().database["change_log"]

    def entry(seq: int, code: str, at: datetime, path: str, old: Any, new: Any) -> dict[str, Any]:
        return {
            "seq": seq,
            "token": f"t{seq}",
            "collection": "students",
            "record_key": school.pupil_id(code),
            "op": "update",
            "at": at,
            "diff": [{"path": path, "title": "", "old": old, "new": new}],
            "prev_hash": "",
            "hash": f"h{seq}",
        }

    # Term II of the fixture's year ends on 31/05/2026: its last two weeks start on 17/05.
    await log.insert_many(
        [
            entry(1, "HS7A101", datetime(2026, 3, 10, 3), f"{SCORES}.hk2.tx", [], [8]),
            entry(2, "HS7A101", datetime(2026, 5, 25, 3), f"{SCORES}.hk2.gk", None, 7),
            entry(3, "HS7A102", datetime(2026, 5, 30, 3), f"{SCORES}.hk2.tx", [], [None, 6]),
            # Neither this book's pupils nor its columns:
            entry(4, "HS7A201", datetime(2026, 5, 30, 3), f"{SCORES}.hk2.gk", None, 5),
            entry(5, "HS7A101", datetime(2026, 5, 30, 3), f"years.{YEAR}.subjects.NGUVAN", {}, {}),
        ]
    )
    teacher = await school.login("gv.toan")
    page = await teacher.get(BOOK, params=TOAN)
    timing = re.search(r'id="book-timing">(.*?)</tr>', page.text, re.S)
    assert timing, page.text
    spans = dict(re.findall(r'data-col="([^"]+)"[^>]*>([^<]*)</td>', timing.group(1)))
    assert (spans["tx1"], spans["tx2"], spans["gk"], spans["ck"]) == ("10/03", "30/05", "25/05", "")
    summary = unescape(page.text.split('id="book-timeliness">', 1)[1].split("</p>", 1)[0])
    assert summary.startswith("67% số ô đã nhập (2/3) được nhập từ 17/05/2026 trở đi")


async def test_a_teacher_lands_on_their_classes_and_others_on_the_panel_home(
    school: School,
) -> None:
    for username in ("gv.toan", "gv.cn7a1"):
        teacher = await school.login(username)
        home = await teacher.get("/admin/")
        assert home.status_code == 303, username
        assert home.headers["location"].endswith("/admin/my-classes")
    office = await school.login("vp.thuky")
    assert (await office.get("/admin/")).status_code == 200


def book_rows(html: str) -> dict[str, dict[str, Any]]:
    data = re.search(r'<script type="application/json" id="book-data">(.*?)</script>', html, re.S)
    assert data, "no book data on the page"
    return {r["id"]: r["cells"] for r in json.loads(data.group(1))["rows"]}


async def test_the_year_view_shows_the_year_average_from_both_terms(school: School) -> None:
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    marks = {"hk1": ["6", "6", "6", "6", "6", "6"], "hk2": ["9", "9", "9", "9", "9", "9"]}
    for term, values in marks.items():
        columns = ["tx1", "tx2", "tx3", "tx4", "gk", "ck"]
        edits = [
            {"row": pid, "col": c, "text": v, "seen": None}
            for c, v in zip(columns, values, strict=True)
        ]
        answer = await save(teacher, {**TOAN, "term": term}, edits)
        assert answer["counts"]["saved"] == 6
    page = await teacher.get(BOOK, params={**TOAN, "term": "year"})
    assert headers(page.text) == ["HK I", "HK II", "ĐTBmcn", "KT lại", "Nhận xét"]
    cells = book_rows(page.text)[pid]
    assert (cells["hk1"]["d"], cells["hk2"]["d"], cells["year"]["d"]) == ("6", "9", "8")
    assert cells["comment"]["w"]  # the year comment is the subject teacher's
    assert not cells["re"]["w"]  # re-assessment is not (the default roles)


async def test_the_homeroom_year_view_shows_conduct_title_and_promotion_read_only(
    school: School,
) -> None:
    homeroom = await school.login("gv.cn7a1")
    page = await homeroom.get(BOOK, params={**HOMEROOM, "term": "year"})
    assert headers(page.text) == [
        "RL HK I",
        "RL HK II",
        "RL cả năm",
        "RL sau hè",
        "HT cả năm",
        "Danh hiệu",
        "Lên lớp",
        "Nhận xét GVCN",
        "Khen thưởng",
        "Kỷ luật",
    ]
    cells = book_rows(page.text)[school.pupil_id("HS7A101")]
    assert [k for k, c in cells.items() if c["w"]] == ["after", "comment"]


async def test_awards_and_discipline_show_read_only_in_the_homeroom_book(school: School) -> None:
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": "HS7A102"},
        {
            "$set": {
                f"years.{YEAR}.awards": [
                    {"title": "Học sinh tiêu biểu", "level": "cấp trường", "decided_on": None}
                ],
                f"years.{YEAR}.discipline": [
                    {"form": "Khiển trách", "reason": "Nghỉ học không phép"}
                ],
            }
        },
    )
    homeroom = await school.login("gv.cn7a1")
    page = await homeroom.get(BOOK, params=HOMEROOM)
    cells = book_rows(page.text)[school.pupil_id("HS7A102")]
    assert cells["awards"] == {"d": "Học sinh tiêu biểu (cấp trường)", "raw": None, "w": False}
    assert cells["discipline"]["d"] == "Khiển trách: Nghỉ học không phép"
    pid = school.pupil_id("HS7A102")
    refused = by_cell(await save(homeroom, HOMEROOM, [{"row": pid, "col": "awards", "text": "x"}]))
    assert refused[(pid, "awards")]["status"] == "refused"


async def test_previewing_a_teacher_shows_their_book_read_only(school: School) -> None:
    it = await school.login("it.quantri")
    started = await post(it, "/admin/preview", {"username": "gv.toan"})
    assert started.status_code == 303
    page = await it.get(BOOK, params=TOAN)
    assert page.status_code == 200
    assert 'id="book-readonly"' in page.text
    assert 'id="save"' not in page.text
    pid = school.pupil_id("HS7A101")
    cell = by_cell(await save(it, TOAN, [{"row": pid, "col": "gk", "text": "7"}]))[(pid, "gk")]
    assert cell["status"] == "refused"
    assert at(await stored("HS7A101"), f"{SCORES}.hk2.gk") is None
