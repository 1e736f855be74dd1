"""/api/v1/students: answers limited to the caller's rows and readable fields; changes limited
to the writable fields, refused when they would move a pupil out of scope; operators cannot be
injected through the query string or the body."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.student import StudentRecord
from tests.admin.school import School, api_headers

MINE = {"HS7A101", "HS7A102", "HS7A103"}  # gv.cn7a1's homeroom class = gv.toan's TOAN class


async def codes(client: httpx.AsyncClient, **params: Any) -> set[str]:
    response = await client.get("/api/v1/students", params={"per_page": 200, **params})
    assert response.status_code == 200, response.text
    return {item["code"] for item in response.json()["items"]}


async def stored(code: str) -> dict[str, Any]:
    raw = await StudentRecord.get_pymongo_collection().find_one({"code": code})
    assert raw is not None
    return raw


async def patch(
    client: httpx.AsyncClient, pk: str, changes: dict[str, Any], **extra: Any
) -> httpx.Response:
    return await client.patch(
        f"/api/v1/students/{pk}", json={"changes": changes, **extra}, headers=api_headers(client)
    )


# -- query-string injection ------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q[$gt]": ""},
        {"q": '{"$gt": ""}'},
        {"class_name[$ne]": "x"},
        {"class_name": '{"$ne": "x"}'},
        {"class_name": "7A2", "class_name[$ne]": "7A2"},
        {"status[$in]": "studying"},
        {"$where": "1"},
        {"filter": '{"$where": "1"}'},
        {"q": ".*"},
        {"q": "^"},
        {"q": "\\"},
    ],
)
async def test_injected_parameters_never_widen_the_list(
    school: School, params: dict[str, str]
) -> None:
    homeroom = await school.login("gv.cn7a1")
    response = await homeroom.get("/api/v1/students", params=params)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert {i["code"] for i in response.json()["items"]} <= MINE


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"grade": "bảy"}, "grade"),
        ({"grade": "12"}, "grade"),
        ({"school_year": "2025"}, "school_year"),
        ({"per_page": "100000"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"q": "x" * 101}, "q"),
    ],
)
async def test_bad_parameters_answer_422_in_vietnamese(
    school: School, params: dict[str, str], field: str
) -> None:
    office = await school.login("vp.thuky")
    response = await office.get("/api/v1/students", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Dữ liệu gửi lên không hợp lệ"
    assert [e["field"] for e in body["errors"]] == [field]


async def test_filters_are_literal_and_scoped(school: School) -> None:
    office = await school.login("vp.thuky")
    assert await codes(office, class_name="7A2") == {"HS7A201", "HS7A202", "HS7A203"}
    assert await codes(office, class_name='{"$ne": "x"}') == set()
    assert await codes(office, status="left") == {"HS6A901"}
    homeroom = await school.login("gv.cn7a1")
    assert await codes(homeroom, class_name="7A2") == set()
    assert await codes(homeroom, school_year="2024-2025") == set()


async def test_paging(school: School) -> None:
    office = await school.login("vp.thuky")
    first = (await office.get("/api/v1/students", params={"per_page": 4})).json()
    second = (await office.get("/api/v1/students", params={"per_page": 4, "page": 2})).json()
    assert first["total"] == second["total"] == 7
    assert len(first["items"]) == 4
    assert len(second["items"]) == 3
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


# -- what each role reads ------------------------------------------------------------------


async def test_answers_hold_only_readable_fields(school: School) -> None:
    pk = school.pupil_id("HS7A101")
    teacher = await school.login("gv.toan")
    record = (await teacher.get(f"/api/v1/students/{pk}")).json()
    assert set(record) == {"id", "code", "profile", "status", "current", "years"}
    assert set(record["profile"]) == {"full_name", "sex", "birth_date"}
    assert set(record["years"]["2025-2026"]["subjects"]) == {"TOAN"}
    head = await school.login("tt.toan")  # Tổ Toán – Tin học: TOAN and TINHOC
    record = (await head.get(f"/api/v1/students/{pk}")).json()
    assert set(record["years"]["2025-2026"]["subjects"]) == {"TOAN"}
    assert "guardians" not in record["profile"]
    it = await school.login("it.quantri")
    record = (await it.get(f"/api/v1/students/{pk}")).json()
    assert "years" not in record
    for item in (await it.get("/api/v1/students")).json()["items"]:
        assert set(item) <= {"id", "code", "profile", "status", "current"}
    for client in (teacher, head, it):
        text = (await client.get(f"/api/v1/students/{pk}")).text
        assert "revision_id" not in text
        assert "_id" not in text


async def test_scores_are_served_as_decimal_strings(school: School) -> None:
    teacher = await school.login("gv.toan")
    pk = school.pupil_id("HS7A101")
    response = await patch(teacher, pk, {"years.2025-2026.subjects.TOAN.hk1.gk": "8,5"})
    assert response.status_code == 200, response.text
    term = response.json()["years"]["2025-2026"]["subjects"]["TOAN"]["hk1"]
    assert term["gk"] == "8.5"
    for username in ("gv.cn7a1", "bgh.ht", "vp.thuky"):
        reader = await school.login(username)
        assert (await reader.get(f"/api/v1/students/{pk}")).status_code == 200
        assert (await reader.get("/api/v1/students")).status_code == 200


# -- changes -----------------------------------------------------------------------------------


async def test_subject_teacher_writes_only_the_assigned_subject(school: School) -> None:
    teacher = await school.login("gv.toan")
    pk = school.pupil_id("HS7A101")
    before = await stored("HS7A101")
    for path, value in (
        ("profile.full_name", "Tên Bị Đổi"),
        ("years.2025-2026.subjects.NGUVAN.hk1.gk", "9"),
        ("years.2024-2025.subjects.TOAN.hk1.gk", "9"),
        ("current.class_name", "7A2"),
        ("status", "left"),
    ):
        response = await patch(teacher, pk, {path: value})
        assert response.status_code == 403, path
        body = response.json()
        # The refusal names the field as people read it; the path goes in "field".
        assert body["detail"].startswith("Bạn không có quyền sửa: «"), body
        assert path.split(".")[0] not in body["detail"].split(":", 1)[1]
        assert body["field"] == path
    # One forbidden path refuses the whole change.
    response = await patch(
        teacher,
        pk,
        {"years.2025-2026.subjects.TOAN.hk1.gk": "7", "profile.full_name": "Tên Bị Đổi"},
    )
    assert response.status_code == 403
    assert await stored("HS7A101") == before


async def test_another_class_is_not_found(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    before = await stored("HS7A201")
    response = await patch(homeroom, school.pupil_id("HS7A201"), {"profile.birth_place": "X"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy hồ sơ học sinh"}
    assert await stored("HS7A201") == before


async def test_moving_a_pupil_out_of_scope_is_refused(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")  # may not write the placement at all
    pk = school.pupil_id("HS7A101")
    before = await stored("HS7A101")
    response = await patch(homeroom, pk, {"current.class_name": "7A2"})
    assert response.status_code == 403
    tester = await school.login("kt.thu")  # may write the placement, within 7A1
    response = await patch(tester, pk, {"current.class_name": "7A2"}, reason="Chuyển lớp")
    assert response.status_code == 403
    assert "ngoài phạm vi" in response.json()["detail"]
    assert await stored("HS7A101") == before
    response = await patch(
        tester, pk, {"current": {"school_year": "2025-2026", "grade": 7, "class_name": "7A2"}}
    )
    assert response.status_code == 403
    assert await stored("HS7A101") == before


@pytest.mark.parametrize(
    "changes",
    [
        {"version": 99},
        {"meta.actor_name": "Giả mạo"},
        {"_id": "000000000000000000000000"},
        {"revision_id": None},
        {"search_name": "gia mao"},
        {"$set": {"profile.full_name": "X"}},
        {"profile.$where": "1"},
        {"years.$[].subjects": {}},
        {"profile.full_name": {"$gt": ""}},
        {"profile.khong_co": "x"},
        {"years.2025-2026.locks.hk1.locked": True},
    ],
)
async def test_crafted_paths_and_values_are_refused(
    school: School, changes: dict[str, Any]
) -> None:
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A101")
    before = await stored("HS7A101")
    response = await patch(office, pk, changes)
    assert response.status_code in (403, 422), response.text
    assert response.json()["detail"]
    assert await stored("HS7A101") == before


async def test_stale_version_is_a_conflict(school: School) -> None:
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A101")
    first = await patch(office, pk, {"profile.birth_place": "Mèo Vạc"}, expected_version=1)
    assert first.status_code == 200
    assert first.json()["version"] == 2
    late = await patch(office, pk, {"profile.birth_place": "Đồng Văn"}, expected_version=1)
    assert late.status_code == 409
    assert late.json()["detail"] == "Hồ sơ vừa được người khác sửa; hãy tải lại trang rồi nhập lại"
    assert (await stored("HS7A101"))["profile"]["birth_place"] == "Mèo Vạc"


async def test_empty_or_malformed_bodies(school: School) -> None:
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A101")
    headers = {**api_headers(office), "Content-Type": "application/json"}
    for body in ('{"changes": {}}', "{}", "[]", '{"changes": []}', "không phải json"):
        response = await office.patch(f"/api/v1/students/{pk}", content=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["detail"] == "Dữ liệu gửi lên không hợp lệ"


async def test_anonymous_and_csrf_less_calls(school: School) -> None:
    stranger = school.client()
    pk = school.pupil_id("HS7A101")
    for path in ("/api/v1/students", f"/api/v1/students/{pk}"):
        response = await stranger.get(path)
        assert response.status_code == 401
        assert response.json() == {"detail": "Bạn cần đăng nhập để tiếp tục."}
    office = await school.login("vp.thuky")
    before = await stored("HS7A101")
    response = await office.patch(
        f"/api/v1/students/{pk}", json={"changes": {"profile.birth_place": "Không mã"}}
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert await stored("HS7A101") == before
