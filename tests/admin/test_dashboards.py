"""The board's and the subject groups' dashboards on the small school with known data: every
number shown, a group head's restricted view, readers refused, the Excel export read back, and
the inspection record written, listed and printed."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import httpx
import pytest
from bson.decimal128 import Decimal128
from openpyxl import load_workbook

from admin.charts import Bar, Segment, line_chart, percent_bars, stacked_bars
from admin.views import dashboards as dashboard_views
from app.clock import utcnow
from app.dashboards import board as boards
from app.dashboards import snapshot as snapshots
from app.dashboards.progress import BookState
from app.dashboards.quality import book_issues
from app.dashboards.snapshot import BookCells
from app.store import access_for
from models.catalogue import Subject
from models.exports import ExportEntry
from models.inspection import Inspection
from models.student import StudentRecord
from models.user import User
from models.workflow import Gradebook, Note, Stage, Step, StepKind
from tests.admin.school import ACTING, GROUP_TOAN, YEAR, School, load_form, post, replace

DASH = "/admin/dashboards"
OLD = utcnow() - timedelta(days=1)  # stamps older than the snapshot's settling time


def d(value: str) -> Decimal128:
    return Decimal128(Decimal(value))


async def set_fields(school: School, code: str, changes: dict[str, Any]) -> None:
    """Another tool's change to a pupil (stamped, so the dashboards see it)."""
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": code},
        {"$set": {**changes, "meta": {"at": OLD}}, "$inc": {"version": 1}},
    )


def step(kind: StepKind, name: str, at: datetime, **extra: Any) -> Step:
    return Step(kind=kind, actor_id=name, actor_name=name, at=at, **extra)


async def fill(school: School) -> None:
    y = f"years.{YEAR}"
    toan = f"{y}.subjects.TOAN"
    await set_fields(
        school,
        "HS7A101",
        {
            f"{toan}.hk1": {"tx": [d("8")] * 4, "gk": d("8"), "ck": d("8")},
            f"{toan}.hk2.tx": [d("2")],  # 6 points under the pupil's other eight scores
            f"{y}.conduct.hk1": "T",
            f"{y}.learning.year": "T",
            f"{y}.conduct.year": "T",
            f"{y}.title": "GIOI",
            f"{y}.promotion.label_vi": "Được lên lớp",
            f"{y}.promotion.promoted": True,
        },
    )
    await set_fields(
        school,
        "HS7A102",
        {
            f"{toan}.hk1": {"tx": [d("6"), d("7")], "gk": d("7")},
            f"{y}.learning.hk1": "K",  # without conduct for term I
            f"{y}.learning.year": "K",
            f"{y}.conduct.year": "CĐ",
        },
    )
    await set_fields(
        school,
        "HS7A201",
        {
            f"{y}.learning.year": "CĐ",
            f"{y}.conduct.year": "T",
            f"{y}.promotion.label_vi": "Được lên lớp",
            f"{y}.promotion.promoted": True,  # although learning is Chưa đạt
        },
    )
    await set_fields(
        school,
        "HS7A202",
        {f"{y}.learning.year": "K", f"{y}.conduct.year": "T", f"{y}.title": "GIOI"},
    )
    await set_fields(
        school,
        "HS7A203",
        {
            f"{y}.subjects.TOAN.hk1.average": d("9.0"),
            f"{y}.subjects.NGUVAN.hk1.average": d("9.0"),
            f"{y}.subjects.GDTC.hk1.result": "Đ",
            f"{y}.learning.hk1": "T",  # two subjects at 9.0 do not make Tốt
        },
    )
    tocm = "Đinh Thị Tổ"
    teacher = "gv.toan"
    await Gradebook(
        school_year=YEAR,
        class_name="7A1",
        kind="subject",
        subject="TOAN",
        term="hk1",
        subject_group=GROUP_TOAN,
        teacher=teacher,
        stage=Stage.CHECKED,
        steps=[
            step(StepKind.SUBMIT, "Sùng Văn Toán", datetime(2026, 1, 20, 3)),
            step(
                StepKind.RETURN,
                tocm,
                datetime(2026, 1, 21, 3),
                comment="Còn thiếu điểm",
                notes=[Note(student_id="x", student_name="Ksor Thị H'Lan", text="Thiếu ĐĐGck")],
            ),
            step(StepKind.SUBMIT, "Sùng Văn Toán", datetime(2026, 1, 22, 3)),
            step(StepKind.CHECK, tocm, datetime(2026, 1, 23, 3), comment="Đạt"),
        ],
    ).insert()
    await Gradebook(
        school_year=YEAR,
        class_name="7A1",
        kind="subject",
        subject="NGUVAN",
        term="hk1",
        subject_group="Tổ Ngữ văn",
        stage=Stage.SUBMITTED,
        steps=[step(StepKind.SUBMIT, "Giáo viên Văn", datetime(2026, 1, 10, 3))],
    ).insert()
    ids = {c: school.pupil_id(c) for c in ("HS7A101",)}
    log = [
        (datetime(2025, 9, 20, 3), f"{toan}.hk1.tx", [8, 8, 8, 8], ids["HS7A101"]),
        (datetime(2026, 1, 10, 3), f"{toan}.hk1.gk", 8, ids["HS7A101"]),
        (datetime(2026, 1, 20, 3), f"{toan}.hk1.ck", 8, ids["HS7A101"]),
        (datetime(2025, 10, 1, 3), f"{y}.subjects.NGUVAN.hk1.gk", 7, ids["HS7A101"]),
    ]
    await (
        StudentRecord.get_pymongo_collection()
        .database["change_log"]
        .insert_many(
            [
                {
                    "seq": n + 1,
                    "token": f"t{n}",
                    "collection": "students",
                    "record_key": key,
                    "op": "update",
                    "at": at,
                    "diff": [{"path": path, "old": None, "new": new}],
                    "prev_hash": "",
                    "hash": "",
                }
                for n, (at, path, new, key) in enumerate(log)
            ]
        )
    )


@pytest.fixture
async def filled(school: School) -> School:
    boards.forget()
    await fill(school)
    return school


def row(html: str, table: str, key: str) -> dict[str, str]:
    """The cells of one row (by data-key) of a table (by id), keyed by data-col."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    line = body.split(f'data-key="{key}"', 1)[1].split("</tr>", 1)[0]
    return dict(re.findall(r'data-col="([^"]+)">([^<]*)<', line))


def cells(html: str, table: str, key: str) -> dict[str, str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    line = body.split(f'data-key="{key}"', 1)[1].split("</tr>", 1)[0]
    found = re.findall(r'data-cell="([^"]+)">(.*?)</td>', line, re.S)
    return {k: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", v)).strip() for k, v in found}


async def page(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return unescape(response.text)


# -- progress ----------------------------------------------------------------------------------
async def test_progress_as_the_board(filled: School) -> None:
    board = await filled.login("bgh.ht")
    html = await page(board, f"{DASH}?term=hk1")
    # 7A1: Toán 9 of 18 cells, Ngữ văn 0/18, GDTC 0/12, conduct 1/3 -> 10/51; 4 books, 2 submitted
    # (Toán checked), none approved.
    assert row(html, "by-class", "7A1") == {
        "cells": "19%",
        "submitted": "50%",
        "checked": "25%",
        "approved": "0%",
    }
    assert row(html, "by-class", "7A2") == {
        "cells": "0%",
        "submitted": "0%",
        "checked": "0%",
        "approved": "0%",
    }
    assert row(html, "by-grade", "7")["cells"] == "9%"  # 10 of 102
    assert row(html, "by-subject", "TOAN") == {
        "cells": "25%",
        "submitted": "50%",
        "checked": "50%",
        "approved": "0%",
    }
    assert row(html, "by-subject", "~homeroom")["cells"] == "16%"  # 1 of 6
    assert row(html, "by-teacher", "gv.toan")["cells"] == "25%"
    assert "Sùng Văn Toán" in html  # the teacher's name, from the accounts
    assert '<svg class="hocba-chart" role="img"' in html
    assert "<figcaption" in html
    assert "Tỉ lệ ô đã nhập theo lớp" in html
    # Term II: only the one score entered for HS7A101.
    html = await page(board, f"{DASH}?term=hk2")
    assert row(html, "by-subject", "TOAN")["cells"] == "2%"  # 1 of 36


async def test_a_group_head_sees_their_groups_subjects_only(filled: School) -> None:
    head = await filled.login("tt.toan")
    html = await page(head, f"{DASH}?term=hk1")
    assert row(html, "by-class", "7A1") == {
        "cells": "50%",
        "submitted": "100%",
        "checked": "100%",
        "approved": "0%",
    }
    assert row(html, "by-grade", "7")["cells"] == "25%"  # 9 of 36
    assert 'data-key="NGUVAN"' not in html
    assert "Ngữ văn" not in html
    assert 'data-key="~homeroom"' not in html
    # Teachers by name, though a group head reads no accounts.
    assert "Sùng Văn Toán" in html
    assert ">gv.toan<" not in html
    quality = await page(head, f"{DASH}/quality?term=hk1")
    assert "Lý Thị Mai" not in quality  # her title finding needs results the head cannot read
    assert "Chưa tính được kết quả" not in quality.split('id="pupil-issues"')[1]
    results = await page(head, f"{DASH}/results")
    assert "không được xem kết quả học tập" in results
    excel = await head.get(f"{DASH}/results.xlsx")
    book = load_workbook(io.BytesIO(excel.content))
    assert [c.value for c in book["Theo lớp"][4]] == ["Lớp / khối", "Sĩ số"]


@pytest.mark.parametrize("username", ["gv.toan", "gv.cn7a1", "vp.thuky", "it.quantri", "nv.moi"])
async def test_readers_without_the_grant_are_refused(filled: School, username: str) -> None:
    client = await filled.login(username)
    for path in ("", "/quality", "/results", "/results.xlsx", "/timeliness", "/crosschecks"):
        response = await client.get(f"{DASH}{path}")
        assert response.status_code == 403, (path, response.status_code)
    assert await ExportEntry.find_all().count() == 0  # a refused download is not journalled
    menu = await client.get("/admin/")
    assert "Theo dõi, kiểm tra" not in menu.text


# -- timeliness ------------------------------------------------------------------------------
async def test_timeliness(filled: School) -> None:
    board = await filled.login("bgh.ht")
    html = await page(board, f"{DASH}/timeliness?term=hk1")
    # 7 cells logged: 4 regular scores in week 3, Ngữ văn's mid-term in week 4, Toán's mid-term
    # in the last two weeks, its end-of-term after the term.
    text = re.sub(r"<[^>]+>", "", html)
    assert "29% số ô đã nhập của học kỳ I (2/7)" in text
    assert "1 ô được nhập sau ngày kết thúc học kỳ" in html
    assert "19/09: 4 ô; 26/09: 1 ô" in html
    assert "09/01: 1 ô" in html
    late = html.split('id="late-books"', 1)[1].split("</table>", 1)[0]
    assert late.count("<tr>") == 8  # header + 7 books (every book but 7A1's Ngữ văn)
    assert "Nộp muộn (20/01/2026)" in late
    assert late.count("Chưa nộp, đã quá hạn") == 6
    head = await filled.login("tt.toan")
    html = await page(head, f"{DASH}/timeliness?term=hk1")
    text = re.sub(r"<[^>]+>", "", html)
    assert "33% số ô đã nhập của học kỳ I (2/6)" in text  # Ngữ văn is not theirs


# -- data quality ----------------------------------------------------------------------------
async def test_quality_findings_link_to_the_pupils(filled: School) -> None:
    board = await filled.login("bgh.ht")
    html = await page(board, f"{DASH}/quality?term=hk1")
    issues = html.split('id="pupil-issues"', 1)[1]
    kinds = re.findall(r'data-kind="([a-z_]+)"', issues)
    assert kinds.count("no_conduct") == 2  # HS7A102 and HS7A203, term I
    assert kinds.count("learning") == 1
    assert "ghi Tốt, theo kết quả các môn là Chưa đạt" in issues
    assert kinds.count("title") == 1
    assert "Lý Thị Mai" in issues
    assert kinds.count("promotion") == 1
    assert kinds.count("pending") == 6
    assert f"/admin/students/detail?pk={filled.pupil_id('HS7A202')}" in issues
    books = html.split('id="book-issues"', 1)[1].split("</table>", 1)[0]
    assert "Thiếu 9/18 ô; 2/3 học sinh chưa đủ" in books  # 7A1 Toán
    html = await page(board, f"{DASH}/quality?term=hk2&kind=outlier")
    issues = html.split('id="pupil-issues"', 1)[1]
    assert re.findall(r'data-kind="([a-z_]+)"', issues) == ["outlier"]
    assert "Toán, Học kỳ II, ĐĐGtx1: 2,0 (trung bình các điểm khác của môn: 8,0)" in issues


# -- cross-checks ----------------------------------------------------------------------------
async def test_cross_checks(filled: School) -> None:
    board = await filled.login("bgh.ht")
    html = await page(board, f"{DASH}/crosschecks?term=hk1")
    checkers = html.split('id="checkers"', 1)[1].split("</table>", 1)[0]
    line = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", checkers.split("Đinh Thị Tổ", 1)[1]))
    assert line.strip().startswith("1 1 1 Sùng Văn Toán")
    events = html.split('id="check-events"', 1)[1]
    assert "Ksor Thị H'Lan: Thiếu ĐĐGck" in events
    assert events.count("Trả lại") == 1
    assert events.count("Kiểm tra đạt") == 1


async def test_books_link_to_their_chain_page(filled: School) -> None:
    """Every dashboard row that names a book opens the book's «Nộp, kiểm tra, duyệt» page."""
    board = await filled.login("bgh.ht")
    chain = f"/admin/book-chain?kind=subject&year={YEAR}&class=7A1&term=hk1"
    for section, table in (
        ("quality", "book-issues"),
        ("timeliness", "late-books"),
        ("timeliness", "entries-by-book"),
        ("crosschecks", "check-events"),
    ):
        html = await page(board, f"{DASH}/{section}?term=hk1")
        rows = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
        links = re.findall(r'href="[^"]*?(/admin/book-chain\?[^"]+)"', rows)
        assert links, (section, table)
        assert any(unescape(link).startswith(chain) for link in links), (section, table, links[:3])
        response = await board.get(unescape(links[0]))
        assert response.status_code == 200, (section, table, links[0])


# -- results statistics ----------------------------------------------------------------------
async def test_results_statistics_and_excel(filled: School) -> None:
    board = await filled.login("bgh.ht")
    html = await page(board, f"{DASH}/results?period=year")
    first = cells(html, "results-by-class", "7A1")
    assert first["learning-T"].startswith("1 ")
    assert "(33%)" in first["learning-T"]
    assert first["learning-K"].startswith("1 ")
    assert first["conduct-CĐ"].startswith("1 ")
    assert first["title-GIOI"] == "1"
    total = cells(html, "results-by-grade", "all")
    assert total["learning-none"].startswith("2 ")
    assert "(33%)" in total["learning-none"]
    assert total["title-GIOI"] == "2"
    response = await board.get(f"{DASH}/results.xlsx?period=year")
    assert response.status_code == 200
    # Named in Vietnamese like every export, not after the period's code ("year").
    disposition = response.headers["content-disposition"]
    assert f'filename="thong-ke-ket-qua-ca-nam-{YEAR}.xlsx"' in disposition
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Theo lớp", "Theo khối"]
    # Journalled like every export: who took which file, when, and how many pupils it counts.
    (entry,) = await ExportEntry.find_all().to_list()
    assert (entry.kind, entry.file_format, entry.school_year) == (
        "results_statistics",
        "xlsx",
        YEAR,
    )
    assert entry.file_name == f"thong-ke-ket-qua-ca-nam-{YEAR}.xlsx"
    assert (entry.username, entry.actor_name) == ("bgh.ht", filled.users["bgh.ht"].full_name)
    assert utcnow() - entry.at.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)
    assert entry.pupil_count == 6
    assert entry.description == f"Thống kê kết quả cả năm, năm học {YEAR} (2 lớp, 6 học sinh)"
    sheet = book["Theo lớp"]
    header = [c.value for c in sheet[4]]
    values = dict(zip(header, [c.value for c in sheet[5]], strict=True))
    assert values["Lớp / khối"] == "Lớp 7A1"
    assert values["Sĩ số"] == 3
    assert values["Học tập: Tốt (SL)"] == 1
    assert values["Học tập: Tốt (%)"] == 33
    assert values["Rèn luyện: Chưa đạt (SL)"] == 1
    assert values["Học sinh Giỏi"] == 1
    assert values["Được lên lớp"] == 1
    grades = book["Theo khối"]
    totals = dict(zip(header, [c.value for c in grades[6]], strict=True))
    assert totals["Lớp / khối"] == "Toàn trường"
    assert totals["Sĩ số"] == 6
    assert totals["Học sinh Giỏi"] == 2


# -- inspection records ----------------------------------------------------------------------
def inspection_form(**changes: str) -> dict[str, str]:
    form = {
        "school_year": YEAR,
        "period_from": "2026-01-05",
        "period_to": "2026-01-20",
        "subject_group": "",
        "scope": "Tiến độ nhập điểm học kỳ I của các lớp khối 7",
        "findings": "Lớp 7A2 chưa nhập điểm môn Toán.\nLớp 7A1 nộp sổ Toán muộn.",
        "recommendations": "Giáo viên bổ sung trước ngày 25/01.",
        "inspectors": "Lò Văn Hiệu",
    }
    return {**form, **changes}


async def create_inspection(client: httpx.AsyncClient, **changes: str) -> httpx.Response:
    await client.get("/admin/inspections/create")
    return await post(client, "/admin/inspections/create", inspection_form(**changes))


async def test_inspection_record_written_listed_and_printed(filled: School) -> None:
    board = await filled.login("bgh.ht")
    response = await create_inspection(board)
    assert response.status_code == 303, response.text
    stored = await Inspection.find_one()
    assert stored is not None
    assert stored.created_by == "Lò Văn Hiệu"
    assert stored.version == 1
    assert stored.meta is not None
    listing = await page(board, "/admin/inspections/list")
    assert "Lò Văn Hiệu" in listing
    assert "2025-2026" in listing
    detail = await page(board, f"/admin/inspections/detail?pk={stored.id}")
    assert f"/admin/dashboards/inspections/{stored.id}/print" in detail
    printed = await page(board, f"{DASH}/inspections/{stored.id}/print")
    assert "BIÊN BẢN KIỂM TRA HỌC BẠ SỐ" in printed
    assert "từ 05/01/2026 đến 20/01/2026" in printed
    assert "Lớp 7A2 chưa nhập điểm môn Toán." in printed
    assert "Toàn trường" in printed
    assert "@media print" in printed
    # Edited like any record: a new version, the author kept.
    path = f"/admin/inspections/edit?pk={stored.id}"
    pairs = replace(await load_form(board, path), findings="Đã bổ sung điểm lớp 7A2.")
    assert (await post(board, path, pairs)).status_code == 303
    edited = await Inspection.get(stored.id)
    assert edited is not None
    assert edited.findings == "Đã bổ sung điểm lớp 7A2."
    assert edited.created_by == "Lò Văn Hiệu"
    assert edited.version == 2


async def test_inspection_form_keeps_what_was_typed(filled: School) -> None:
    board = await filled.login("bgh.ht")
    response = await create_inspection(board, period_to="2026-01-01", findings="Đã xem sổ 7A1")
    assert response.status_code == 422
    text = unescape(response.text)
    assert "Ngày kết thúc kỳ kiểm tra phải sau ngày bắt đầu" in text
    assert "Đã xem sổ 7A1" in text
    assert await Inspection.find_one() is None


async def test_the_inspected_group_is_picked_from_the_groups(filled: School) -> None:
    """Not typed: a group head's record had to name their group exactly."""
    board = await filled.login("bgh.ht")
    form = unescape(await page(board, "/admin/inspections/create"))
    select = form.split('name="subject_group"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{GROUP_TOAN}"' in select


async def test_a_group_head_inspects_their_group_only(filled: School) -> None:
    board = await filled.login("bgh.ht")
    assert (await create_inspection(board)).status_code == 303
    school_wide = await Inspection.find_one()
    assert school_wide is not None
    head = await filled.login("tt.toan")
    assert (await create_inspection(head, subject_group=GROUP_TOAN)).status_code == 303
    refused = await create_inspection(head, subject_group="Tổ Ngữ văn")
    assert refused.status_code == 422
    assert await Inspection.find({"subject_group": "Tổ Ngữ văn"}).count() == 0
    listing = await page(head, "/admin/inspections/list")
    assert GROUP_TOAN in listing
    # The board's school-wide record is not theirs: 404, not 403.
    printed = await head.get(f"{DASH}/inspections/{school_wide.id}/print")
    assert printed.status_code == 404
    detail = await head.get(f"/admin/inspections/detail?pk={school_wide.id}")
    assert detail.status_code == 404


# -- the kept snapshot -----------------------------------------------------------------------
async def test_the_snapshot_is_reused_and_follows_every_write(school: School) -> None:
    boards.forget()
    pupils = StudentRecord.get_pymongo_collection()
    await pupils.update_many({}, {"$set": {"meta": {"at": OLD}}})
    access = await access_for(school.users["bgh.ht"])
    first = await snapshots.snapshot(access, YEAR)
    assert await snapshots.snapshot(access, YEAR) is first  # settled and unchanged: reused
    assert first.pupils == 6
    gk = f"years.{YEAR}.subjects.TOAN.hk1.gk"
    await pupils.update_one({"code": "HS7A201"}, {"$set": {gk: d("9"), "meta": {"at": utcnow()}}})
    after = await snapshots.snapshot(access, YEAR)
    assert after.books[("7A2", "TOAN", "hk1")].entered == 1
    # Stamped before the latest write but committed after it: still caught.
    late = utcnow() - timedelta(seconds=2)
    await pupils.update_one({"code": "HS7A202"}, {"$set": {gk: d("9"), "meta": {"at": late}}})
    after = await snapshots.snapshot(access, YEAR)
    assert after.books[("7A2", "TOAN", "hk1")].entered == 2
    assert after.books[("7A2", "TOAN", "hk1")].columns["gk"][Decimal("9")] == 2
    # A deleted pupil: everything is read again.
    await pupils.delete_one({"code": "HS7A203"})
    after = await snapshots.snapshot(access, YEAR)
    assert after.pupils == 5
    assert after.books[("7A2", "TOAN", "hk1")].pupils == 2
    # A group head's snapshot is their own: Toán and Tin học only, no homeroom books.
    head = await snapshots.snapshot(await access_for(school.users["tt.toan"]), YEAR)
    assert {key[1] for key in head.books} == {"TOAN"}
    assert head.readable == set()


async def test_kept_progress_follows_books_scores_and_names(filled: School) -> None:
    """Everything settled: the progress is answered from what was kept; a book's stage, a
    score and a teacher's name written afterwards show on the next request."""
    for model in (StudentRecord, Gradebook, User, Subject):
        await model.get_pymongo_collection().update_many({}, {"$set": {"meta": {"at": OLD}}})
    access = await access_for(filled.users["bgh.ht"])
    first = await boards.open_board(access, "hk1")
    again = await boards.open_board(access, "hk1")
    assert first is not None
    assert again is not None
    assert again.progress() is first.progress()  # nothing changed: not computed again
    board = await filled.login("bgh.ht")
    html = await page(board, f"{DASH}?term=hk1")
    assert row(html, "by-class", "7A1")["approved"] == "0%"
    # The board approves the Ngữ văn book (a stamped write).
    books = Gradebook.get_pymongo_collection()
    await books.update_one(
        {"class_name": "7A1", "subject": "NGUVAN", "term": "hk1"},
        {"$set": {"stage": Stage.APPROVED.value, "meta": {"at": utcnow()}}},
    )
    html = await page(board, f"{DASH}?term=hk1")
    assert row(html, "by-class", "7A1") == {
        "cells": "19%",
        "submitted": "50%",
        "checked": "50%",
        "approved": "25%",
    }
    # Stamped before the latest write but committed after it: still caught.
    await books.update_one(
        {"class_name": "7A1", "subject": "TOAN", "term": "hk1"},
        {"$set": {"stage": Stage.APPROVED.value, "meta": {"at": utcnow() - timedelta(seconds=2)}}},
    )
    html = await page(board, f"{DASH}?term=hk1")
    assert row(html, "by-class", "7A1")["approved"] == "50%"
    # A score entered: 11 of 51 cells.
    ck = f"years.{YEAR}.subjects.TOAN.hk1.ck"
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": "HS7A102"}, {"$set": {ck: d("7"), "meta": {"at": utcnow()}}}
    )
    html = await page(board, f"{DASH}?term=hk1")
    assert row(html, "by-class", "7A1")["cells"] == "21%"
    # A teacher's name corrected in their account.
    await User.get_pymongo_collection().update_one(
        {"username": "gv.toan"},
        {"$set": {"full_name": "Sùng Văn Toàn", "meta": {"at": utcnow()}}},
    )
    html = await page(board, f"{DASH}?term=hk1")
    assert "Sùng Văn Toàn" in html


def test_a_column_of_identical_scores_is_found() -> None:
    cells = BookCells("7A1", 7, "TOAN", "hk1", pupils=5, entered=30, expected=30)
    cells.columns = {"gk": Counter({Decimal("7"): 5}), "ck": Counter({Decimal("7"): 4})}
    cells.columns["ck"][Decimal("8")] = 1
    issues = book_issues([BookState(cells, Stage.ENTERING, None)])
    assert [(i.kind, i.detail) for i in issues] == [
        ("identical", "Cột ĐĐGgk: cả 5 điểm đều là 7,0")
    ]
    cells.columns["gk"] = Counter({Decimal("7"): 4})  # four are not enough to tell
    assert book_issues([BookState(cells, Stage.ENTERING, None)]) == []


def test_charts_are_accessible_svg() -> None:
    chart = str(percent_bars("Tỉ lệ <ô>", [Bar("Lớp 7A1", 50, "9/18 ô"), Bar("Lớp 7A2", 0)]))
    assert chart.startswith('<figure class="hocba-figure"><figcaption id="chart-')
    assert '<svg class="hocba-chart" role="img"' in chart
    assert "Tỉ lệ &lt;ô&gt;" in chart  # labels are escaped
    assert "<desc" in chart
    assert "Lớp 7A1 50%" in chart
    assert "<title>Lớp 7A1: 50% (9/18 ô)</title>" in chart
    line = str(line_chart("Mỗi tuần", [("05/09", 0), ("12/09", 4)]))
    assert "<polyline" in line
    assert "12/09: 4 ô" in line
    stacked = str(stacked_bars("Học tập", [("Lớp 7A1", [Segment("Tốt", 1, "hocba-level-T")])]))
    assert "Lớp 7A1: Tốt 1 (100%)" in stacked
    assert 'class="hocba-legend-item"' in stacked


async def test_long_lists_are_paged(filled: School, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard_views, "PAGE_SIZE", 3)
    board = await filled.login("bgh.ht")

    def late_rows(html: str) -> int:
        return html.split('id="late-books"', 1)[1].split("</table>", 1)[0].count("<tr>") - 1

    first = await page(board, f"{DASH}/timeliness?term=hk1")
    assert "Sổ trễ hạn (7)" in first
    assert late_rows(first) == 3
    assert "Trang 1/3" in first
    last = await page(board, f"{DASH}/timeliness?term=hk1&late_page=3")
    assert late_rows(last) == 1
    quality = await page(board, f"{DASH}/quality?term=hk1&page=2")
    issues = quality.split('id="pupil-issues"', 1)[1].split("</table>", 1)[0]
    assert issues.count("data-kind=") == 3


# Who may open what (seed/roles.py, restated): the board and group heads; nobody else.
MAY_INSPECT = {"bgh": True, "tocm": True}


@pytest.mark.parametrize("role", sorted(ACTING))
@pytest.mark.parametrize(
    "path",
    [
        DASH,
        f"{DASH}/timeliness",
        f"{DASH}/quality",
        f"{DASH}/crosschecks",
        f"{DASH}/results",
        f"{DASH}/results.xlsx",
        "/admin/inspections/list",
        "/admin/inspections/create",
    ],
)
async def test_permission_matrix(filled: School, role: str, path: str) -> None:
    client = await filled.login(ACTING[role])
    response = await client.get(path)
    assert response.status_code == (200 if MAY_INSPECT.get(role) else 403), response.text[:300]
