"""The pupils list: search that ignores diacritics and apostrophes, and the list filters
(school year, grade, class, status) through the URL the "Bộ lọc" builder produces."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from app.store.handles import filter_roots
from tests.admin.school import FORMER, LAST_YEAR, PUPILS, School, api_headers

NGUYEN_VAN = {"HS7A101", "HS7A201"}
CURRENT = {"HS7A101", "HS7A102", "HS7A103", "HS7A201", "HS7A202", "HS7A203"}


async def listed(school: School, client: httpx.AsyncClient, **params: str) -> set[str]:
    """Codes of the pupils on the list page (each row links to its record's id)."""
    response = await client.get("/admin/students/list", params={"page_size": "100", **params})
    assert response.status_code == 200, response.text[:300]
    return {code for code in school.pupils if school.pupil_id(code) in response.text}


async def found(client: httpx.AsyncClient, **params: str) -> set[str]:
    response = await client.get("/api/v1/students", params=params)
    assert response.status_code == 200, response.text
    return {item["code"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("term", "codes"),
    [
        ("nguyen van", NGUYEN_VAN),
        ("NGUYỄN VĂN", NGUYEN_VAN),
        (unicodedata.normalize("NFD", "Nguyễn Văn"), NGUYEN_VAN),  # another keyboard
        ("  nguyen   van ", NGUYEN_VAN),
        ("hlan", {"HS7A102"}),  # "Ksor Thị H'Lan" typed without the apostrophe
        ("h'lan", {"HS7A102"}),
        ("H’Lan", {"HS7A102"}),  # typographic apostrophe
        ("ksor thi hlan", {"HS7A102"}),
        ("hhen", {"HS7A103"}),  # "H' Hen Niê"
        ("h hen", {"HS7A103"}),
        ("h'hen nie", {"HS7A103"}),
        ("y bhim mlo", {"HS7A203"}),
        ("HS7A2", {"HS7A201", "HS7A202", "HS7A203"}),  # pupil code
        ("hs7a10", {"HS7A101", "HS7A102", "HS7A103"}),
        (".*", set()),  # a term, not a regular expression
        ("(", set()),
        ("xyz không có", set()),
    ],
)
async def test_search_ignores_diacritics_and_apostrophes(
    school: School, term: str, codes: set[str]
) -> None:
    office = await school.login("vp.thuky")
    assert await listed(school, office, q=term) == codes
    assert await found(office, q=term) == codes


async def test_search_stays_within_scope(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    assert await listed(school, homeroom, q="nguyen van") == {"HS7A101"}
    assert await found(homeroom, q="nguyen van") == {"HS7A101"}
    assert await listed(school, homeroom, q="y bhim") == set()


async def test_list_offers_the_filters(school: School) -> None:
    office = await school.login("vp.thuky")
    html = (await office.get("/admin/students/list")).text
    assert "Bộ lọc" in html
    fields = _filter_builder_fields(html)
    assert {"school_year", "grade", "class_name", "status"} <= set(fields)
    assert fields["class_name"] == "Lớp"
    assert fields["grade"] == "Khối"
    assert fields["school_year"] == "Năm học"
    assert fields["status"] == "Tình trạng"


async def test_the_class_filter_is_a_list_of_the_years_classes(school: School) -> None:
    office = await school.login("vp.thuky")
    html = (await office.get("/admin/students/list")).text
    start = html.find('{"name": "class_name", "label"')
    assert start >= 0, "the class field is in the filter builder"
    filters = json.JSONDecoder().raw_decode(html, start)[0]["filters"]
    # Every way to filter by class picks from this year's classes; none is typed free text.
    assert {f["name"] for f in filters} == {"eq", "neq", "in", "not_in"}
    for found in filters:
        assert found["choices"] == [["6A1", "6A1"], ["7A1", "7A1"], ["7A2", "7A2"]], found


def _filter_builder_fields(html: str) -> dict[str, str]:
    """name -> label of the fields the filter builder offers (its JSON island)."""
    labels = {}
    for match in re.finditer(r'\{"name": "(\w+)", "label": "([^"]+)", "filters"', html):
        labels[match.group(1)] = json.loads(f'"{match.group(2)}"')
    return labels


@pytest.mark.parametrize(
    ("expression", "codes"),
    [
        ("school_year__eq=2025-2026", CURRENT),
        ("school_year__eq=2024-2025", {"HS6A901"}),
        ("grade__eq=6", {"HS6A901"}),
        ("grade__eq=7", CURRENT),
        ("grade__between=6..7", CURRENT | {"HS6A901"}),
        ("class_name__eq=7A2", {"HS7A201", "HS7A202", "HS7A203"}),
        ("class_name__eq=7a2", {"HS7A201", "HS7A202", "HS7A203"}),  # as typed
        ("class_name__neq=7A2", {"HS7A101", "HS7A102", "HS7A103", "HS6A901"}),
        ("class_name__in=7A1,7A2", CURRENT),
        ("class_name__not_in=7A1,7A2", {"HS6A901"}),
        ("class_name__eq=7A", set()),  # a whole class name, not a prefix
        ("class_name__eq=.*", set()),  # a value, not a pattern
        (
            "(class_name__eq=7A1 OR class_name__eq=6A9)",
            {"HS7A101", "HS7A102", "HS7A103", "HS6A901"},
        ),
        ("status__eq=left", {"HS6A901"}),
        ("status__in=studying,transferred", CURRENT),
        ("status__neq=studying", {"HS6A901"}),
        (
            "school_year__eq=2025-2026 AND grade__eq=7 AND class_name__eq=7A1"
            " AND status__eq=studying",
            {"HS7A101", "HS7A102", "HS7A103"},
        ),
        ("(class_name__eq=7A1 OR status__eq=left)", {"HS7A101", "HS7A102", "HS7A103", "HS6A901"}),
    ],
)
async def test_filters_through_the_url(school: School, expression: str, codes: set[str]) -> None:
    office = await school.login("vp.thuky")
    assert await listed(school, office, filter=expression) == codes


async def test_filters_combine_with_search_and_scope(school: School) -> None:
    office = await school.login("vp.thuky")
    assert await listed(school, office, q="nguyen", filter="class_name__eq=7A2") == {"HS7A201"}
    homeroom = await school.login("gv.cn7a1")
    assert await listed(school, homeroom, filter="class_name__eq=7A2") == set()
    assert await listed(school, homeroom, filter="status__eq=studying") == {
        "HS7A101",
        "HS7A102",
        "HS7A103",
    }


async def test_api_filters(school: School) -> None:
    office = await school.login("vp.thuky")
    assert await found(office, school_year="2024-2025") == {"HS6A901"}
    assert await found(office, grade="7", class_name="7A2") == {"HS7A201", "HS7A202", "HS7A203"}
    assert await found(office, status="left") == {"HS6A901"}


async def test_export_applies_the_list_filter(school: School) -> None:
    office = await school.login("vp.thuky")
    await office.get("/admin/students/list")
    response = await office.post(
        "/admin/_api/students/action",
        params={"name": "export", "all": "1", "_list_query": "?filter=class_name__eq=7A2"},
        data={"format": "csv", "scope": "all", "filename": "lop7a2"},
        headers=api_headers(office),
    )
    assert response.status_code == 200, response.text[:300]
    exported = {code for code in school.pupils if code in response.text}
    assert exported == {"HS7A201", "HS7A202", "HS7A203"}


async def test_list_rows_keep_their_columns_when_a_row_filter_reads_the_years(
    school: School, mdb: AsyncDatabase
) -> None:
    """A list page leaves the school years in the database, except when a row filter reads
    them: each row's grant is matched against what was loaded, and a row matched against a
    record without its years would lose every column."""
    await mdb["roles"].update_one(
        {"code": "kiemthu", "permissions.resource": "students"},
        {"$set": {"permissions.$.row_filter": {f"years.{LAST_YEAR}": {"$exists": True}}}},
    )
    tester = await school.login("kt.thu")
    response = await tester.get("/admin/students/list")
    assert response.status_code == 200
    assert await listed(school, tester) == {FORMER[0]}
    assert FORMER[1] in response.text  # the name column is filled, not pruned


async def test_subject_teacher_list_rows_show_their_columns(school: School) -> None:
    teacher = await school.login("gv.toan")
    response = await teacher.get("/admin/students/list")
    assert response.status_code == 200
    assert await listed(school, teacher) == {"HS7A101", "HS7A102", "HS7A103"}
    page = html.unescape(response.text)
    for _, name, _ in PUPILS["7A1"]:
        assert name in page


@pytest.mark.parametrize(
    ("query", "roots"),
    [
        ({}, set()),
        ({"current.class_name": {"$in": ["7A1"]}}, {"current"}),
        ({"$or": [{"code": "A"}, {"years.2025-2026.class_name": "7A1"}]}, {"code", "years"}),
        ({"$and": [{"$nor": [{"status": "left"}]}, {"profile.sex": "nam"}]}, {"status", "profile"}),
        ({"years": {"$elemMatch": {"$exists": True}}}, {"years"}),
    ],
)
def test_filter_roots(query: dict[str, Any], roots: set[str]) -> None:
    assert filter_roots(query) == roots


async def test_a_column_hidden_for_some_rows_says_so(school: School, mdb: AsyncDatabase) -> None:
    """A group head who is also 7A1's homeroom teacher reads the ethnicity of 7A1's pupils
    only: the other rows say «(ẩn)» instead of a blank that would mean "not recorded"."""
    await mdb["users"].update_one(
        {"username": "tt.toan"},
        {"$set": {"roles": ["tocm", "gvcn"], "homeroom_classes": ["7A1"]}},
    )
    head = await school.login("tt.toan")
    response = await head.get("/admin/students/list", params={"page_size": "100"})
    assert response.status_code == 200
    rows = {
        code: row
        for row in response.text.split("<tr")
        for code in school.pupils
        if school.pupil_id(code) in row
    }
    for code in ("HS7A101", "HS7A102", "HS7A103"):
        assert "Mông" in rows[code], code
        assert "(ẩn)" not in rows[code], code
    for code in ("HS7A201", "HS7A202", "HS7A203"):
        assert "(ẩn)" in rows[code], code
        assert "Mông" not in rows[code], code
        assert html.unescape(rows[code]).count("7A2") >= 1  # the class column is readable
