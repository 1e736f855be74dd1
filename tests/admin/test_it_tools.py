"""The IT group's tools: explain a decision of the permission engine, and preview the panel as
another user (read-only, bannered, journalled)."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from models.auth import AuthEvent, AuthEventKind
from models.student import StudentRecord
from models.user import User
from tests.admin.school import School, api_headers, load_form, post, replace
from tests.factories import stored_pupil

HOMEROOM_7A1 = {"HS7A101", "HS7A102", "HS7A103"}


def explanation(html: str) -> str:
    """The explanation card's text, tags removed and spaces collapsed."""
    match = re.search(r'<div class="card mt-3" id="explain-result">(.*)', html, re.S)
    assert match, "no explanation on the page"
    text = re.sub(r"<[^>]+>", " ", match.group(1))
    return " ".join(unescape(text).split())


async def listed(school: School, client: httpx.AsyncClient) -> set[str]:
    response = await client.get("/admin/students/list", params={"page_size": "100"})
    assert response.status_code == 200
    return {code for code in school.pupils if school.pupil_id(code) in response.text}


# -- explain -----------------------------------------------------------------------------------


async def test_explain_in_scope(school: School) -> None:
    it = await school.login("it.quantri")
    response = await it.get("/admin/explain", params={"username": "gv.cn7a1", "record": "HS7A101"})
    assert response.status_code == 200
    text = explanation(response.text)
    assert "«gv.cn7a1» ĐƯỢC xem hồ sơ học sinh" in text
    assert "nhờ «Giáo viên chủ nhiệm» (gvcn) quyền số 1" in text
    assert "Vai trò «Giáo viên chủ nhiệm» (gvcn), quyền số 1: bộ lọc khớp, cho phép." in text
    writable = re.search(r"<dt[^>]*>Được sửa</dt>\s*<dd[^>]*>(.*?)</dd>", response.text, re.S)
    assert writable
    assert '<code class="me-2">profile</code>' in writable.group(1)
    assert "Được phép" in response.text


async def test_explain_out_of_scope(school: School) -> None:
    it = await school.login("it.quantri")
    response = await post(
        it, "/admin/explain", {"username": "gv.cn7a1", "record": "HS7A201", "action": "view"}
    )
    assert response.status_code == 200
    text = explanation(response.text)
    assert "«gv.cn7a1» KHÔNG được xem hồ sơ học sinh" in text
    assert "không quyền nào có bộ lọc khớp hồ sơ này" in text
    assert "Điều kiện current.class_name ∈ [7A1] không thỏa: hồ sơ có current.class_name = 7A2" in (
        text
    )
    assert "Không được phép" in response.text


@pytest.mark.parametrize(
    ("username", "record", "action", "expected"),
    [
        ("gv.toan", "HS7A101", "edit", "«gv.toan» ĐƯỢC sửa hồ sơ học sinh"),
        ("gv.toan", "HS7A101", "delete", "không vai trò nào của tài khoản cấp quyền «Xóa»"),
        ("nv.moi", "HS7A101", "view", "tài khoản chưa được gán vai trò nào"),
        ("tt.toan", "HS6A901", "view", "«tt.toan» ĐƯỢC xem hồ sơ học sinh"),
    ],
)
async def test_explain_reasons(
    school: School, username: str, record: str, action: str, expected: str
) -> None:
    it = await school.login("it.quantri")
    response = await it.get(
        "/admin/explain", params={"username": username, "record": record, "action": action}
    )
    assert expected in explanation(response.text)


async def test_explain_unknown_user_or_record(school: School) -> None:
    it = await school.login("it.quantri")
    response = await it.get("/admin/explain", params={"username": "khong.co", "record": "HS7A101"})
    assert "Không có tài khoản «khong.co»" in response.text
    response = await it.get("/admin/explain", params={"username": "gv.cn7a1", "record": "HS0000"})
    assert "Không tìm thấy bản ghi «HS0000»" in response.text


@pytest.mark.parametrize("username", ["bgh.ht", "tt.toan", "gv.cn7a1", "gv.toan", "vp.thuky"])
async def test_only_the_it_group_has_the_tools(school: School, username: str) -> None:
    other = await school.login(username)
    home = await other.get("/admin/", follow_redirects=True)  # teachers land on their classes
    assert home.status_code == 200
    assert "/admin/explain" not in home.text  # not in the menu
    assert "/admin/preview" not in home.text
    for path in ("/admin/explain", "/admin/preview"):
        assert (await other.get(path, params={"username": "gv.cn7a1"})).status_code == 403
    started = await post(other, "/admin/preview", {"username": "gv.cn7a1"})
    assert started.status_code == 403
    it = await school.login("it.quantri")
    assert "/admin/explain" in (await it.get("/admin/")).text


async def test_tools_need_a_signed_in_user(school: School) -> None:
    stranger = school.client()
    response = await stranger.get("/admin/explain")
    assert response.status_code in (302, 303)
    assert "login" in response.headers["location"]


# -- preview -----------------------------------------------------------------------------------


async def events(kind: AuthEventKind) -> list[AuthEvent]:
    return await AuthEvent.find({"kind": kind}).to_list()


async def test_preview_as_a_homeroom_teacher(school: School) -> None:
    it = await school.login("it.quantri")
    own_view = await listed(school, it)
    assert own_view == set(school.pupils)  # the IT group looks pupils up (identity only)

    started = await post(it, "/admin/preview", {"username": "gv.cn7a1"})
    assert started.status_code == 303
    [event] = await events(AuthEventKind.PREVIEW_STARTED)
    assert event.username == "it.quantri"
    assert "gv.cn7a1" in event.detail

    page = await it.get("/admin/students/list", params={"page_size": "100"})
    assert 'id="preview-banner"' in page.text
    assert "Đang xem thử như Hà Thị Chủ (gv.cn7a1)" in page.text
    assert await listed(school, it) == HOMEROOM_7A1  # exactly what the teacher sees
    mine, other = school.pupil_id("HS7A101"), school.pupil_id("HS7A201")
    assert (await it.get("/admin/students/detail", params={"pk": mine})).status_code == 200
    assert (await it.get("/admin/students/detail", params={"pk": other})).status_code == 404
    assert (await it.get("/admin/users/list")).status_code == 403  # the teacher's menu, not IT's

    # Read-only: every write is refused, and nothing changes.
    before = await StudentRecord.get_pymongo_collection().find_one({"code": "HS7A101"})
    assert (await it.get("/admin/students/edit", params={"pk": mine})).status_code == 403
    edit = await post(
        it,
        f"/admin/students/edit?pk={mine}",
        {"profile.birth_place": "Xem thử", "profile.full_name": "Xem Thử"},
    )
    assert edit.status_code == 403
    create = await post(it, "/admin/students/create", {"code": "HSXEM", "profile.full_name": "X"})
    assert create.status_code == 403
    delete = await it.post(
        "/admin/_api/students/action",
        params={"name": "delete", "pks": mine},
        headers=api_headers(it),
    )
    assert delete.status_code == 400
    export = await it.post(
        "/admin/_api/students/action",
        params={"name": "export", "pks": mine},
        data={"format": "csv", "scope": "selected"},
        headers=api_headers(it),
    )
    assert export.status_code == 400
    assert await StudentRecord.get_pymongo_collection().find_one({"code": "HS7A101"}) == before
    assert await stored_pupil({"code": "HSXEM"}) is None
    # Even the IT group's own resources are read-only while previewing.
    users = await post(it, "/admin/users/create", {"username": "xem.thu", "full_name": "X"})
    assert users.status_code == 403

    # The preview page stays reachable, and stopping restores the IT user's own view.
    page = await it.get("/admin/preview")
    assert page.status_code == 200
    assert "Kết thúc xem thử" in page.text
    stopped = await post(it, "/admin/preview", {"stop": "1"})
    assert stopped.status_code == 303
    [ended] = await events(AuthEventKind.PREVIEW_ENDED)
    assert ended.username == "it.quantri"
    assert "gv.cn7a1" in ended.detail
    page = await it.get("/admin/students/list", params={"page_size": "100"})
    assert 'id="preview-banner"' not in page.text
    assert await listed(school, it) == own_view
    assert (await it.get("/admin/users/list")).status_code == 200


async def test_preview_of_an_unknown_user(school: School) -> None:
    it = await school.login("it.quantri")
    response = await post(it, "/admin/preview", {"username": "khong.co"})
    assert response.status_code == 200
    assert "Không có tài khoản «khong.co»" in response.text
    assert await events(AuthEventKind.PREVIEW_STARTED) == []


async def test_preview_belongs_to_one_session(school: School) -> None:
    it = await school.login("it.quantri")
    elsewhere = await school.login("it.quantri")
    await post(it, "/admin/preview", {"username": "gv.toan"})
    assert await listed(school, it) == HOMEROOM_7A1  # gv.toan teaches 7A1
    assert await listed(school, elsewhere) == set(school.pupils)
    assert 'id="preview-banner"' not in (await elsewhere.get("/admin/")).text


async def test_preview_ends_with_the_right_to_preview(school: School) -> None:
    """An IT user who loses the roles right mid-preview sees their own (new) rights again."""
    it = await school.login("it.quantri")
    await post(it, "/admin/preview", {"username": "vp.thuky"})
    pk = school.pupil_id("HS7A101")
    assert (await it.get("/admin/students/detail", params={"pk": pk})).status_code == 200
    await User.get_pymongo_collection().update_one(
        {"username": "it.quantri"}, {"$set": {"roles": []}}
    )
    assert (await it.get("/admin/students/detail", params={"pk": pk})).status_code == 403
    assert (await it.get("/admin/preview")).status_code == 403


async def test_an_edit_form_loaded_before_the_preview_cannot_be_submitted(school: School) -> None:
    it = await school.login("it.quantri")
    pk = school.ids[("classes", "7A1")]
    form = await load_form(it, f"/admin/classes/edit?pk={pk}")
    await post(it, "/admin/preview", {"username": "gv.cn7a1"})
    response = await post(
        it, f"/admin/classes/edit?pk={pk}", replace(form, homeroom_teacher="xem.thu")
    )
    assert response.status_code == 403
