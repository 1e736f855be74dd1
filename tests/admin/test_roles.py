"""Roles are data: the IT group edits a row filter in the panel, sees its impact, confirms, and
the next request of every holder uses it. Rules that could run code or do not parse are refused
with a Vietnamese message that points at the offending part."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from models.role import Role
from tests.admin.school import School, form_error, form_fields, load_form, post, replace

WIDER = '{"current.school_year": "$user.current_school_year"}'
ALL_CURRENT = {"HS7A101", "HS7A102", "HS7A103", "HS7A201", "HS7A202", "HS7A203"}


def role_path(school: School, code: str) -> str:
    return f"/admin/roles/edit?pk={school.ids[('roles', code)]}"


def students_permission(pairs: list[tuple[str, str]]) -> str:
    """The form prefix ("permissions.N") of the role's permission on pupils."""
    for name, value in pairs:
        if name.endswith(".resource") and value == "students":
            return name.removesuffix(".resource")
    raise AssertionError("no permission on students in the form")


def with_filter(pairs: list[tuple[str, str]], row_filter: str) -> list[tuple[str, str]]:
    key = students_permission(pairs) + ".row_filter"
    return [(k, row_filter if k == key else v) for k, v in pairs]


async def visible(school: School, client: httpx.AsyncClient) -> set[str]:
    response = await client.get("/admin/students/list", params={"page_size": "100"})
    assert response.status_code == 200
    return {code for code in school.pupils if school.pupil_id(code) in response.text}


def impact_rows(html: str) -> list[str]:
    """The rows of the impact confirmation's table, as text."""
    table = re.search(r'id="impact-table".*?<tbody>(.*?)</tbody>', html, re.S)
    assert table, "no impact table on the page"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


async def stored_filter(code: str) -> dict[str, object]:
    role = await Role.find_one({"code": code})
    assert role is not None
    return next(p.row_filter for p in role.permissions if p.resource == "students")


async def test_filter_edit_shows_impact_then_saves_and_applies_at_once(school: School) -> None:
    homeroom = await school.login("gv.cn7a1")
    assert await visible(school, homeroom) == {"HS7A101", "HS7A102", "HS7A103"}
    it = await school.login("it.quantri")
    path = role_path(school, "gvcn")
    before = await stored_filter("gvcn")

    first = await post(it, path, with_filter(await load_form(it, path), WIDER))
    assert first.status_code == 422
    assert "phạm vi dữ liệu của 2 người dùng" in form_error(first.text)
    assert impact_rows(first.text) == [
        "Hà Thị Chủ (gv.cn7a1) Hồ sơ học sinh 3 6 +3 0",
        "Vàng A Hai (gv.cn7a2) Hồ sơ học sinh 3 6 +3 0",
    ]
    assert 'id="confirm-impact"' in first.text  # one clear button confirms
    assert 'class="alert alert-warning mb-3" role="alert" id="form-error"' in first.text
    assert await stored_filter("gvcn") == before  # nothing saved yet
    assert await visible(school, homeroom) == {"HS7A101", "HS7A102", "HS7A103"}

    # The re-rendered form carries the confirmation; submitting it unchanged saves.
    confirm = form_fields(first.text)
    assert dict(confirm)["impact_ack"]
    second = await post(it, path, confirm)
    assert second.status_code == 303, form_error(second.text)
    assert await stored_filter("gvcn") == json.loads(WIDER)
    # Same session, no restart: the homeroom teacher's next request uses the new rule.
    assert await visible(school, homeroom) == ALL_CURRENT
    api = await homeroom.get("/api/v1/students", params={"per_page": 100})
    assert {item["code"] for item in api.json()["items"]} == ALL_CURRENT


async def test_a_changed_rule_needs_its_own_confirmation(school: School) -> None:
    it = await school.login("it.quantri")
    path = role_path(school, "gvcn")
    before = await stored_filter("gvcn")
    first = await post(it, path, with_filter(await load_form(it, path), WIDER))
    assert first.status_code == 422
    # Confirming, but with another filter than the one whose impact was shown: asked again.
    leavers = '{"status": "left"}'
    second = await post(it, path, with_filter(form_fields(first.text), leavers))
    assert second.status_code == 422
    rows = impact_rows(second.text)
    assert "Hà Thị Chủ (gv.cn7a1) Hồ sơ học sinh 3 1 +1 −3" in rows
    assert not any(" 3 6 " in row for row in rows)
    assert await stored_filter("gvcn") == before
    third = await post(it, path, form_fields(second.text))
    assert third.status_code == 303
    assert await stored_filter("gvcn") == {"status": "left"}


async def test_a_swap_of_same_size_scopes_still_asks(school: School) -> None:
    """Homeroom teachers of 7A1 and 7A2 trade classes: every total stays 3, yet each of
    them would see three other pupils, so the form asks before saving."""
    it = await school.login("it.quantri")
    path = role_path(school, "gvcn")
    swapped = (
        '{"current.school_year": "$user.current_school_year", '
        '"current.class_name": {"$in": ["7A1", "7A2"], "$nin": "$user.homeroom_classes"}}'
    )
    first = await post(it, path, with_filter(await load_form(it, path), swapped))
    assert first.status_code == 422, first.text[:300]
    rows = impact_rows(first.text)
    assert "Hà Thị Chủ (gv.cn7a1) Hồ sơ học sinh 3 3 +3 −3" in rows
    assert "Vàng A Hai (gv.cn7a2) Hồ sơ học sinh 3 3 +3 −3" in rows
    second = await post(it, path, form_fields(first.text))
    assert second.status_code == 303, form_error(second.text)
    homeroom = await school.login("gv.cn7a1")
    assert await visible(school, homeroom) == {"HS7A201", "HS7A202", "HS7A203"}


async def test_a_change_without_impact_saves_at_once(school: School) -> None:
    it = await school.login("it.quantri")
    path = role_path(school, "gvcn")
    pairs = replace(await load_form(it, path), description="Giáo viên chủ nhiệm (đã sửa mô tả)")
    response = await post(it, path, pairs)
    assert response.status_code == 303, form_error(response.text)
    role = await Role.find_one({"code": "gvcn"})
    assert role is not None
    assert role.description == "Giáo viên chủ nhiệm (đã sửa mô tả)"


@pytest.mark.parametrize("code", ["bgh", "tocm", "gvcn", "gvbm", "vanphong", "cntt"])
async def test_every_seeded_role_survives_an_unchanged_submit(school: School, code: str) -> None:
    it = await school.login("it.quantri")
    before = await Role.find_one({"code": code})
    assert before is not None
    path = role_path(school, code)
    response = await post(it, path, await load_form(it, path))
    assert response.status_code == 303, form_error(response.text)
    after = await Role.find_one({"code": code})
    assert after is not None
    assert after.permissions == before.permissions
    assert after.version == before.version  # nothing changed: nothing written


@pytest.mark.parametrize(
    ("row_filter", "expected"),
    [
        ('{"$where": "this.code == 1"}', "Toán tử $where không được phép (tại bộ lọc)"),
        (
            '{"current.class_name": {"$function": {"body": "return 1", "args": [], "lang": "js"}}}',
            "Toán tử $function không được phép (tại bộ lọc → current.class_name)",
        ),
        (
            '{"$or": [{"status": "studying"}, {"$expr": {"$eq": [1, 1]}}]}',
            "Toán tử $expr không được phép (tại bộ lọc → $or → [1])",
        ),
        (
            '{"current.grade": {"$accumulator": {}}}',
            "Toán tử $accumulator không được phép (tại bộ lọc → current.grade)",
        ),
        ('{"current.class_name": }', "JSON không hợp lệ ở dòng 1, cột 24: thiếu giá trị"),
        ("{'current.class_name': '7A1'}", "tên trường phải đặt trong ngoặc kép"),
        ('{"current.class_name": "7A1"', "dòng 1"),
        ('["7A1"]', "Bộ lọc phải là một đối tượng JSON dạng {…}, không phải một danh sách"),
        (
            '{"current.class_name": {"$in": "$user.lop"}}',
            "Biến $user.lop không tồn tại",
        ),
    ],
)
async def test_unsafe_or_broken_filters_are_refused(
    school: School, row_filter: str, expected: str
) -> None:
    it = await school.login("it.quantri")
    path = role_path(school, "gvcn")
    before = await Role.get_pymongo_collection().find_one({"code": "gvcn"})
    pairs = await load_form(it, path)
    number = int(students_permission(pairs).rsplit(".", 1)[1])
    response = await post(it, path, with_filter(pairs, row_filter))
    assert response.status_code == 422
    message = form_error(response.text)
    assert expected in message
    assert message.startswith(f"Quyền số {number} không hợp lệ — ô «Bộ lọc bản ghi (JSON)»: ")
    assert await Role.get_pymongo_collection().find_one({"code": "gvcn"}) == before
    # Nor can a new role carry one.
    created = await post(
        it,
        "/admin/roles/create",
        [
            ("code", "docac"),
            ("name", "Độc hại"),
            ("active", "on"),
            ("permissions.1.resource", "students"),
            ("permissions.1.actions", "view"),
            ("permissions.1.row_filter", row_filter),
            ("permissions.1.read_fields", "**"),
        ],
    )
    assert created.status_code == 422
    assert expected in form_error(created.text)
    assert await Role.find_one({"code": "docac"}) is None


async def test_bad_field_patterns_are_refused(school: School) -> None:
    it = await school.login("it.quantri")
    path = role_path(school, "gvbm")
    pairs = await load_form(it, path)
    key = students_permission(pairs) + ".write_fields"
    response = await post(
        it, path, [(k, "profile.khong_co_truong" if k == key else v) for k, v in pairs]
    )
    assert response.status_code == 422
    assert "không có trường «khong_co_truong»" in form_error(response.text)


async def test_only_the_it_group_edits_roles(school: School) -> None:
    principal = await school.login("bgh.ht")  # may read the roles, not change them
    path = role_path(school, "gvcn")
    assert (await principal.get(path)).status_code == 403
    response = await post(principal, path, [("code", "gvcn"), ("name", "Đổi tên")])
    assert response.status_code == 403
    role = await Role.find_one({"code": "gvcn"})
    assert role is not None
    assert role.name == "Giáo viên chủ nhiệm"


async def test_a_wrong_field_pattern_is_named_by_its_form_label(school: School) -> None:
    it = await school.login("it.quantri")
    path = role_path(school, "gvcn")
    pairs = await load_form(it, path)
    prefix = students_permission(pairs)
    number = int(prefix.rsplit(".", 1)[1])
    key = prefix + ".write_fields"
    response = await post(it, path, [(k, "profile\nkhong_co" if k == key else v) for k, v in pairs])
    assert response.status_code == 422
    assert form_error(response.text) == (
        f"Quyền số {number} không hợp lệ — ô «Trường được sửa»: "
        "Mẫu «khong_co»: không có trường «khong_co» (trong gốc)"
    )
