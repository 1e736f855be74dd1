"""Attacks on the panel: injected query operators, crafted form posts, other classes' ids,
missing CSRF tokens and replayed sessions. Every refused write leaves the record as it was."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from bson import ObjectId

from app.auth.csrf import CSRF_REJECTED
from models.student import StudentRecord
from tests.admin.school import (
    PASSWORD,
    School,
    api_headers,
    form_error,
    load_form,
    post,
    replace,
)
from tests.factories import stored_pupil

MINE = {"HS7A101", "HS7A102", "HS7A103"}  # gv.cn7a1's homeroom class


async def stored(code: str) -> dict[str, Any]:
    raw = await StudentRecord.get_pymongo_collection().find_one({"code": code})
    assert raw is not None
    return raw


def listed(school: School, html: str) -> set[str]:
    return {code for code in school.pupils if school.pupil_id(code) in html}


def sent_to_login(response: httpx.Response) -> bool:
    return response.status_code in (302, 303, 307) and "/login" in response.headers["location"]


# -- operator injection through the URL ----------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q[$gt]": ""},
        {"q": '{"$gt": ""}'},
        {"q": "' || '1'=='1"},
        {"q": ".*"},
        {"class_name[$ne]": "x"},
        {"sort": "$where__asc"},
        {"sort": "current.class_name__asc"},
        {"filter[$where]": "1"},
    ],
)
async def test_injected_parameters_never_widen_the_list(
    school: School, params: dict[str, str]
) -> None:
    homeroom = await school.login("gv.cn7a1")
    response = await homeroom.get("/admin/students/list", params=params)
    assert response.status_code in (200, 400)
    assert listed(school, response.text) <= MINE


@pytest.mark.parametrize(
    "expression",
    [
        "$where__eq=1",
        "$where__eq=sleep(1000)",
        "current.class_name__eq=7A2",  # stored paths are not filter names
        "class_name__where=1",
        "class_name__eq=7A2 AND $or__eq=1",
        "profile.full_name__contains=a",
        "(((((((((((((((((((((((class_name__eq=7A1)))))))))))))))))))))))",
    ],
)
async def test_malformed_filters_are_refused_not_crashing(school: School, expression: str) -> None:
    homeroom = await school.login("gv.cn7a1")
    response = await homeroom.get("/admin/students/list", params={"filter": expression})
    assert response.status_code == 400
    assert listed(school, response.text) == set()


async def test_filter_values_are_literals(school: School) -> None:
    office = await school.login("vp.thuky")
    for value in ('{"$ne": "x"}', "$ne", "/.*/", '"7A1"'):
        response = await office.get(
            "/admin/students/list", params={"filter": f'class_name__eq="{value}"'}
        )
        assert response.status_code in (200, 400), value
        assert listed(school, response.text) == set(), value


async def test_filters_cannot_reach_outside_the_scope(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    for expression in ("class_name__eq=7A2", "status__eq=left", "grade__eq=7"):
        response = await homeroom.get("/admin/students/list", params={"filter": expression})
        assert response.status_code == 200
        assert listed(school, response.text) <= MINE


# -- crafted form posts ----------------------------------------------------------------------


async def test_subject_teacher_cannot_post_a_name_change(school: School) -> None:
    teacher = await school.login("gv.toan")
    pk = school.pupil_id("HS7A101")
    before = await stored("HS7A101")
    # Scores are all a subject teacher writes, and they are not on this form: no form...
    assert (await teacher.get(f"/admin/students/edit?pk={pk}")).status_code == 403
    crafted = {
        "profile.full_name": "Tên Bị Đổi",
        "code": "HACK01",
        "status": "left",
        "version": "1",
    }
    response = await post(teacher, f"/admin/students/edit?pk={pk}", crafted)
    assert response.status_code == 403
    assert await stored("HS7A101") == before  # ...and nothing taken when posted


async def test_homeroom_teacher_cannot_edit_another_class(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    other = school.pupil_id("HS7A201")
    before = await stored("HS7A201")
    response = await post(
        homeroom,
        f"/admin/students/edit?pk={other}",
        {"profile.full_name": "Tên Bị Đổi", "profile.birth_place": "Nơi khác", "version": "1"},
    )
    assert response.status_code == 404
    assert await stored("HS7A201") == before


async def test_homeroom_teacher_cannot_move_a_pupil_by_post(school: School) -> None:
    """gvcn may write the profile but not the placement: a posted class is not taken."""
    homeroom = await school.login("gv.cn7a1")
    pk = school.pupil_id("HS7A101")
    pairs = await load_form(homeroom, f"/admin/students/edit?pk={pk}")
    assert "current.class_name" not in dict(pairs)
    crafted = replace(pairs, current__class_name="7A2", current__grade="7")
    response = await post(homeroom, f"/admin/students/edit?pk={pk}", crafted)
    assert response.status_code in (303, 422)
    assert (await stored("HS7A101"))["current"]["class_name"] == "7A1"


async def test_moving_a_pupil_out_of_scope_is_refused(school: School) -> None:
    """A role that may write the placement, but only in 7A1, cannot move a pupil to 7A2."""
    tester = await school.login("kt.thu")
    pk = school.pupil_id("HS7A101")
    before = await stored("HS7A101")
    pairs = await load_form(tester, f"/admin/students/edit?pk={pk}")
    response = await post(
        tester, f"/admin/students/edit?pk={pk}", replace(pairs, current__class_name="7A2")
    )
    assert response.status_code == 422
    assert "ngoài phạm vi" in form_error(response.text)
    assert await stored("HS7A101") == before
    # Nor into it: creating a pupil in someone else's class.
    create = await post(
        tester,
        "/admin/students/create",
        {
            "code": "HSNGOAI1",
            "profile.full_name": "Học Sinh Lớp Khác",
            "profile.sex": "nam",
            "profile.birth_date": "2013-01-01",
            "status": "studying",
            "current.school_year": "2025-2026",
            "current.grade": "7",
            "current.class_name": "7A2",
        },
    )
    assert create.status_code == 422
    assert await stored_pupil({"code": "HSNGOAI1"}) is None


async def test_tampered_version_does_not_crash(school: School) -> None:
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A101")
    pairs = await load_form(office, f"/admin/students/edit?pk={pk}")
    for version in ("abc", "1e9", "-1", "99999999999999999999"):
        response = await post(
            office, f"/admin/students/edit?pk={pk}", replace(pairs, version=version)
        )
        assert response.status_code in (303, 422), version


# -- other classes' ids answer 404, exactly like ids that do not exist -------------------------


async def test_other_classes_ids_are_not_found_not_forbidden(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    other, missing = school.pupil_id("HS7A201"), str(ObjectId())
    for path in ("/admin/students/detail", "/admin/students/edit"):
        hidden = await homeroom.get(path, params={"pk": other})
        absent = await homeroom.get(path, params={"pk": missing})
        malformed = await homeroom.get(path, params={"pk": "not-an-id"})
        assert hidden.status_code == absent.status_code == malformed.status_code == 404
    for pk in (other, missing, "not-an-id"):
        response = await homeroom.get(f"/api/v1/students/{pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Không tìm thấy hồ sơ học sinh"}


async def test_deleting_or_exporting_another_class_does_nothing(school: School) -> None:
    tester = await school.login("kt.thu")  # may delete and export, in 7A1 only
    other = school.pupil_id("HS7A201")
    response = await tester.post(
        "/admin/_api/students/action",
        params={"name": "delete", "pks": other},
        headers=api_headers(tester),
    )
    assert response.status_code == 400
    assert "không tồn tại hoặc nằm ngoài phạm vi" in response.json()["msg"]
    assert await stored_pupil({"code": "HS7A201"}) is not None
    response = await tester.post(
        "/admin/_api/students/row-action",
        params={"name": "delete", "pk": other},
        headers=api_headers(tester),
    )
    assert response.status_code == 400
    assert await stored_pupil({"code": "HS7A201"}) is not None
    response = await tester.post(
        "/admin/_api/students/action",
        params={"name": "export", "pks": [other, school.pupil_id("HS7A101")]},
        data={"format": "csv", "scope": "selected"},
        headers=api_headers(tester),
    )
    assert response.status_code == 200
    assert "HS7A101" in response.text
    assert "HS7A201" not in response.text


# -- CSRF ------------------------------------------------------------------------------------


async def test_posts_without_csrf_token_are_refused(school: School) -> None:
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A101")
    before = await stored("HS7A101")
    pairs = dict(await load_form(office, f"/admin/students/edit?pk={pk}"))
    pairs["profile.birth_place"] = "Không có mã bảo vệ"
    cases = [
        await office.post(f"/admin/students/edit?pk={pk}", data=pairs),
        await office.post(f"/admin/students/edit?pk={pk}", data={**pairs, "csrftoken": "gia-mao"}),
        await office.post("/admin/_api/students/action", params={"name": "delete", "pks": pk}),
        await office.post(
            "/admin/students/create",
            data={"code": "HSCSRF", "profile.full_name": "Không Mã"},
        ),
    ]
    for response in cases:
        assert response.status_code == 403
        assert CSRF_REJECTED in response.text
    assert await stored("HS7A101") == before
    assert await stored_pupil({"code": "HSCSRF"}) is None


async def test_csrf_token_of_another_browser_is_refused(school: School) -> None:
    office = await school.login("vp.thuky")
    other = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A101")
    pairs = dict(await load_form(office, f"/admin/students/edit?pk={pk}"))
    await other.get("/admin/")
    pairs.update(csrftoken=other.cookies["starlette_admin_csrftoken"], version="1")
    response = await office.post(f"/admin/students/edit?pk={pk}", data=pairs)
    assert response.status_code == 403


# -- sessions ----------------------------------------------------------------------------------


def copy_of(school: School, client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Another client carrying the same cookies (a stolen or left-behind session)."""
    thief = school.client()
    for cookie in client.cookies.jar:
        thief.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


async def test_session_is_dead_after_logout(school: School) -> None:
    office = await school.login("vp.thuky")
    thief = copy_of(school, office)
    assert (await thief.get("/admin/students/list")).status_code == 200
    assert (await thief.get("/api/v1/students")).status_code == 200
    response = await post(office, "/logout")
    assert response.status_code == 303
    assert sent_to_login(await thief.get("/admin/students/list"))
    assert sent_to_login(await office.get("/admin/students/list"))
    api = await thief.get("/api/v1/students")
    assert api.status_code == 401
    assert api.json()["detail"] == "Bạn cần đăng nhập để tiếp tục."


async def test_session_is_dead_after_a_password_change(school: School) -> None:
    here = await school.login("gv.cn7a1")
    elsewhere = await school.login("gv.cn7a1")  # the same teacher on another computer
    new = "Mây trắng bay trên đỉnh núi 2026"
    response = await post(
        here,
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "new_password_again": new},
    )
    assert response.status_code == 303, response.text[:500]
    assert sent_to_login(await elsewhere.get("/admin/students/list"))
    assert (await elsewhere.get("/api/v1/students")).status_code == 401
    assert (await here.get("/admin/students/list")).status_code == 200  # this one goes on


async def test_api_refuses_anonymous_and_csrf_less_calls(school: School) -> None:
    stranger = school.client()
    assert (await stranger.get("/api/v1/students")).status_code == 401
    pk = school.pupil_id("HS7A101")
    assert (await stranger.get(f"/api/v1/students/{pk}")).status_code == 401
    office = await school.login("vp.thuky")
    before = await stored("HS7A101")
    body = {"changes": {"profile.birth_place": "Không mã"}}
    response = await office.patch(f"/api/v1/students/{pk}", json=body)
    assert response.status_code == 403
    assert response.json()["detail"] == CSRF_REJECTED
    assert await stored("HS7A101") == before
