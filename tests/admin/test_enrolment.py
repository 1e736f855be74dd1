"""Enrolment and class moves from the pupil form: the record book follows the placement, and
what cannot be right is refused on its field, in Vietnamese, keeping what was typed."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from app.context import Actor
from app.errors import Conflict
from app.store.records import update_record
from models.common import WriteSource
from tests.admin.school import YEAR, School, api_headers, form_error, load_form, post, replace
from tests.factories import stored_pupil

TEACHER = Actor(id="t", name="Sùng Văn Toán", role="gvbm")


def new_pupil(code: str, **overrides: str) -> dict[str, Any]:
    form = {
        "code": code,
        "moet_id": "",
        "profile.full_name": "Hơ Ngọc Ánh",
        "profile.sex": "nu",
        "profile.birth_date": "2013-04-02",
        "profile.ethnicity": "Gia Rai",
        "profile.nationality": "Việt Nam",
        "status": "studying",
        "current.school_year": YEAR,
        "current.grade": "7",
        "current.class_name": "7A2",
    }
    form.update(overrides)
    return form


async def test_enrolling_a_pupil_opens_the_school_year_in_the_record_book(school: School) -> None:
    office = await school.login("vp.thuky")
    response = await post(office, "/admin/students/create", new_pupil("HSMOI01"))
    assert response.status_code == 303, form_error(response.text)
    pupil = await stored_pupil({"code": "HSMOI01"})
    assert pupil is not None
    assert pupil.moet_id is None  # left empty: optional
    year = pupil.years[YEAR]
    assert (year.grade, year.class_name, year.homeroom_teacher) == (7, "7A2", "gv.cn7a2")
    assert "TOAN" in year.subjects
    assert year.subjects["TOAN"].kind == "score"
    assert year.subjects["GDTC"].kind == "comment"


async def test_blank_optional_fields_take_their_defaults_and_ask_for_no_arrival(
    school: School,
) -> None:
    office = await school.login("vp.thuky")
    form = new_pupil(
        "HSTRONG1",
        **{"profile.ethnicity": "", "profile.nationality": "", "status": "", "moet_id": ""},
    )
    form.update({f"transfer_in.{k}": "" for k in ("from_school", "on", "decision_no", "reason")})
    response = await post(office, "/admin/students/create", form)
    assert response.status_code == 303, form_error(response.text)
    pupil = await stored_pupil({"code": "HSTRONG1"})
    assert pupil is not None
    assert (pupil.profile.ethnicity, pupil.profile.nationality) == ("Kinh", "Việt Nam")
    assert pupil.status == "studying"
    assert pupil.transfer_in is None


async def test_an_error_elsewhere_names_no_arrival_and_no_codes(school: School) -> None:
    office = await school.login("vp.thuky")
    form = new_pupil("HSTRONG2", **{"profile.sex": "khac", "current.class_name": "7A9"})
    form.update({f"transfer_in.{k}": "" for k in ("from_school", "on", "decision_no", "reason")})
    response = await post(office, "/admin/students/create", form)
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "Hãy chọn một giá trị trong danh sách" in text  # not pydantic's 'nam' or 'nu'
    assert "'nu'" not in text
    assert "chuyển đến từ trường khác" not in text  # nobody filled in an arrival
    assert await stored_pupil({"code": "HSTRONG2"}) is None


async def test_a_placement_that_cannot_be_right_is_refused_on_its_field(school: School) -> None:
    office = await school.login("vp.thuky")
    for overrides, message in (
        ({"current.class_name": "7A9"}, "Lớp «7A9» không có trong năm học"),
        ({"current.grade": "9"}, "Lớp 7A2 thuộc khối 7, không phải khối 9"),
        ({"profile.birth_date": "2024-01-01"}, "Ngày sinh không phù hợp với khối 7"),
        (
            {
                "profile.guardians.1.relation": "me",
                "profile.guardians.1.full_name": "Mẹ",
                "profile.guardians.1.phone": "abc",
            },
            "Số điện thoại chỉ gồm chữ số",
        ),
    ):
        response = await post(office, "/admin/students/create", new_pupil("HSSAI01", **overrides))
        assert response.status_code == 422, overrides
        assert message in response.text, overrides
        assert 'value="Hơ Ngọc Ánh"' in response.text  # what was typed is kept
    assert await stored_pupil({"code": "HSSAI01"}) is None


async def test_moving_class_within_the_year_moves_the_record_book_and_keeps_scores(
    school: School,
) -> None:
    pk = school.pupil_id("HS7A101")
    gk = f"years.{YEAR}.subjects.TOAN.hk1.gk"
    await update_record(pk, {gk: Decimal("8")}, source=WriteSource.API, actor=TEACHER)
    office = await school.login("vp.thuky")
    path = f"/admin/students/edit?pk={pk}"
    form = await load_form(office, path)
    response = await post(office, path, replace(form, current__class_name="7A2"))
    assert response.status_code == 303, form_error(response.text)
    pupil = await stored_pupil({"code": "HS7A101"})
    assert pupil is not None
    year = pupil.years[YEAR]
    assert (year.class_name, year.homeroom_teacher) == ("7A2", "gv.cn7a2")
    assert year.subjects["TOAN"].hk1.gk == Decimal("8")
    # Another grade inside the same school year is not a class move.
    form = await load_form(office, path)
    moved = replace(form, current__class_name="6A1", current__grade="6")
    response = await post(office, path, moved)
    assert response.status_code == 422
    assert "chuyển khối trong năm học không được phép" in response.text


async def test_pupils_are_found_by_their_class_code(school: School) -> None:
    office = await school.login("vp.thuky")
    page = await office.get("/admin/students/list", params={"q": "7a1", "page_size": "100"})
    found = {code for code in school.pupils if school.pupil_id(code) in page.text}
    assert found == {"HS7A101", "HS7A102", "HS7A103"}


async def transfer(client, pk: str, **form: str):  # type: ignore[no-untyped-def]
    await client.get(f"/admin/students/detail?pk={pk}")
    return await client.post(
        "/admin/_api/students/row-action",
        params={"name": "transfer_out", "pk": pk},
        data=form,
        headers=api_headers(client),
    )


async def test_a_transfer_out_is_recorded_and_leaves_the_record_read_only(school: School) -> None:
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A102")
    # The page's dialog sends its fields as a form (the browser posts the form's inputs).
    page = await office.get(f"/admin/students/detail?pk={pk}")
    dialog = html.unescape(page.text)  # the dialog's markup travels in a data attribute
    assert re.search(r"<form>(?:(?!</form>).)*name=\"to_school\"", dialog, re.S)
    refused = await transfer(office, pk, on="2026-11-20", to_school="")
    assert refused.status_code == 400
    assert "Trường chuyển đến: Chưa nhập (bắt buộc)" in refused.json()["msg"]  # not "chuỗi"
    # The date is typed the Vietnamese way (no browser date box, which speaks the browser's
    # language); a date that is not one is refused with the form it takes.
    assert 'id="transfer-on"' in dialog
    assert 'type="date"' not in dialog
    for typed, message in (("20-11-2026", "ví dụ 05/03/2026"), ("31/02/2026", "không có ngày")):
        wrong = await transfer(office, pk, on=typed, to_school="Trường THCS Krông Pắc")
        assert wrong.status_code == 400
        assert message in wrong.json()["msg"], typed
    details = {
        "on": "20/11/2026",
        "to_school": "Trường PTDTNT THCS Krông Pắc",
        "reason": "Gia đình chuyển nơi ở",
        "decision_no": "12/QĐ-DTNT",
    }
    response = await transfer(office, pk, **details)
    assert response.status_code == 200, response.text
    pupil = await stored_pupil({"code": "HS7A102"})
    assert pupil is not None
    assert pupil.status == "transferred"
    assert pupil.transfer_out is not None
    assert pupil.transfer_out.to_school == "Trường PTDTNT THCS Krông Pắc"
    assert pupil.transfer_out.on == date(2026, 11, 20)
    page = await office.get(f"/admin/students/detail?pk={pk}")
    assert "Trường PTDTNT THCS Krông Pắc" in page.text
    # Read-only from now on, for scores too.
    gk = f"years.{YEAR}.subjects.TOAN.hk2.gk"
    with pytest.raises(Conflict, match="đã chuyển trường"):
        await update_record(pk, {gk: Decimal("9")}, source=WriteSource.API, actor=TEACHER)
    path = f"/admin/students/edit?pk={pk}"
    form = await load_form(office, path)
    edited = await post(office, path, replace(form, profile__birth_place="Buôn Hồ"))
    assert edited.status_code == 422
    assert "đã chuyển trường" in edited.text


async def test_the_status_alone_cannot_record_a_transfer(school: School) -> None:
    office = await school.login("vp.thuky")
    path = f"/admin/students/edit?pk={school.pupil_id('HS7A103')}"
    form = await load_form(office, path)
    response = await post(office, path, replace(form, status="transferred"))
    assert response.status_code == 422
    assert "nút «Chuyển trường»" in response.text


ARRIVAL = {
    "transfer_in.from_school": "Trường THCS Nà Hang",
    "transfer_in.on": "2026-09-07",
    "transfer_in.decision_no": "45/QĐ-PGD",
    "transfer_in.reason": "Theo gia đình chuyển nơi ở",
}


async def test_a_pupil_from_another_school_keeps_where_they_came_from(school: School) -> None:
    office = await school.login("vp.thuky")
    form = await office.get("/admin/students/create")
    assert 'name="transfer_in.from_school"' in form.text
    response = await post(office, "/admin/students/create", new_pupil("HSDEN01", **ARRIVAL))
    assert response.status_code == 303, form_error(response.text)
    pupil = await stored_pupil({"code": "HSDEN01"})
    assert pupil is not None
    assert pupil.transfer_in is not None
    assert pupil.transfer_in.from_school == "Trường THCS Nà Hang"
    assert pupil.transfer_in.decision_no == "45/QĐ-PGD"
    assert pupil.status == "studying"
    assert YEAR in pupil.years  # enrolled like anyone else
    page = await office.get(f"/admin/students/detail?pk={pupil.id}")
    assert "Chuyển đến" in page.text
    assert "07/09/2026 từ Trường THCS Nà Hang; Theo gia đình chuyển nơi ở; QĐ số 45/QĐ-PGD" in (
        html.unescape(page.text)
    )
    # Enrolled here: nothing about a transfer.
    response = await post(office, "/admin/students/create", new_pupil("HSMOI02"))
    assert response.status_code == 303, form_error(response.text)
    here = await stored_pupil({"code": "HSMOI02"})
    assert here is not None
    assert here.transfer_in is None


async def test_a_transfer_in_needs_the_school_and_a_past_date(school: School) -> None:
    office = await school.login("vp.thuky")
    for overrides, message in (
        ({"transfer_in.on": "2026-09-07"}, "Cần ghi trường chuyển đi khi học sinh chuyển đến"),
        ({"transfer_in.from_school": "Trường THCS Nà Hang"}, "Cần ghi ngày chuyển đến khi"),
        ({**ARRIVAL, "transfer_in.on": "2099-09-07"}, "Ngày chuyển đến không thể ở tương lai"),
    ):
        response = await post(office, "/admin/students/create", new_pupil("HSDEN02", **overrides))
        assert response.status_code == 422, overrides
        assert message in html.unescape(response.text), overrides
        assert 'value="Hơ Ngọc Ánh"' in response.text  # what was typed is kept
    assert await stored_pupil({"code": "HSDEN02"}) is None
