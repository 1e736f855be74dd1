"""Accounts as the IT group meets them: roles, classes and assignments by name, picked from the
catalogue's lists (never typed), a new account's state said on the form, the last sign-in read
from the sign-in journal, and records headed by their names."""

from __future__ import annotations

import html
import re

import httpx

from models.user import User
from tests.admin.school import (
    GROUP_TOAN,
    School,
    form_error,
    form_fields,
    load_form,
    login,
    post,
)

NEW_TEACHER = [
    ("username", "gv.ly"),
    ("full_name", "Lầu Thị Lý"),
    ("roles", "gvbm"),
    ("homeroom_classes", "6A1"),
    ("teaching.0.class_name", "7A2"),
    ("teaching.0.subject", "TOAN"),
    ("teaching.1.class_name", "7A1"),
    ("teaching.1.subject", "TINHOC"),
    ("teaching.2.class_name", "7A2"),
    ("teaching.2.subject", "TINHOC"),
    ("subject_group", GROUP_TOAN),
    ("active", "on"),
]


def options(html: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of the select named ``name``."""
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    found = re.findall(r'<option value="([^"]*)"[^>]*>\s*(.*?)\s*</option>', select.group(1), re.S)
    return [(v, label) for v, label in found if v]


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_the_create_form_offers_lists_and_says_the_new_state(school: School) -> None:
    it = await school.login("it.quantri")
    page = (await it.get("/admin/users/create")).text
    assert ("gvbm", "Giáo viên bộ môn") in options(page, "roles")
    # The classes of the current school year only, by grade (6A9 was last year's).
    assert [v for v, _ in options(page, "homeroom_classes")] == ["6A1", "7A1", "7A2"]
    # Subject groups come from the subject catalogue, not typed.
    assert [v for v, _ in options(page, "subject_group")] == [
        "Tổ Ngữ văn",
        "Tổ Thể chất",
        GROUP_TOAN,
    ]
    # An assignment is a class and a subject picked by name (the template of a new item,
    # carried escaped in the page).
    item = html.unescape(page)
    assert ("TOAN", "Toán") in options(item, "subject")
    assert [v for v, _ in options(item, "class_name")] == ["6A1", "7A1", "7A2"]
    # A new account is active unless unticked, and must change its temporary password.
    assert ("active", "on") in form_fields(page)
    assert "phải đổi mật khẩu ở lần đăng nhập đầu" in text_of(page)


async def test_a_teacher_created_from_the_lists_shows_by_name(school: School) -> None:
    it = await school.login("it.quantri")
    response = await post(it, "/admin/users/create", NEW_TEACHER)
    assert response.status_code == 303, form_error(response.text)
    user = await User.find_one({"username": "gv.ly"})
    assert user is not None
    assert user.active
    assert user.must_change_password
    assert user.subject_group == GROUP_TOAN
    assert [(t.class_name, t.subject) for t in user.teaching] == [
        ("7A2", "TOAN"),
        ("7A1", "TINHOC"),
        ("7A2", "TINHOC"),
    ]
    listing = text_of((await it.get("/admin/users/list", params={"q": "gv.ly"})).text)
    assert "Giáo viên bộ môn" in listing
    assert "6A1" in listing
    assert "Toán: 7A2; Tin học: 7A1, 7A2" in listing
    assert "TINHOC" not in listing
    assert "-null-" not in listing
    assert "-empty-" not in listing

    detail = (await it.get("/admin/users/detail", params={"pk": str(user.id)})).text
    heading = re.search(r'id="record-heading">(.*?)</h3>', detail, re.S)
    assert heading, "the detail page has a heading"
    assert text_of(heading.group(1)) == "Lầu Thị Lý"
    assert str(user.id) not in text_of(heading.group(1))
    edit = (await it.get("/admin/users/edit", params={"pk": str(user.id)})).text
    heading = re.search(r'id="record-heading">(.*?)</h3>', edit, re.S)
    assert heading
    assert text_of(heading.group(1)) == "Sửa tài khoản: Lầu Thị Lý"


async def test_values_not_in_the_lists_are_refused_by_name(school: School) -> None:
    it = await school.login("it.quantri")
    forged = [
        *(pair for pair in NEW_TEACHER if not pair[0].startswith(("teaching", "subject_group"))),
        ("teaching.0.class_name", "6A9"),  # last year's class
        ("teaching.0.subject", "TOAN"),
        ("subject_group", "TOAN"),  # typed, not a group of the catalogue
    ]
    response = await post(it, "/admin/users/create", forged)
    assert response.status_code == 422
    assert await User.find_one({"username": "gv.ly"}) is None
    page = text_of(response.text)
    assert "«6A9» không có trong danh sách lớp của năm học hiện tại" in page
    assert "«TOAN» không có trong danh sách tổ chuyên môn" in page
    assert 'value="gv.ly"' in response.text  # what was typed is kept


async def test_an_earlier_years_assignment_survives_an_unchanged_save(school: School) -> None:
    it = await school.login("it.quantri")
    teacher = school.users["gv.toan"]
    await User.get_pymongo_collection().update_one(
        {"_id": teacher.id},
        {"$push": {"teaching": {"class_name": "6A9", "subject": "TOAN"}}, "$inc": {"version": 1}},
    )
    path = f"/admin/users/edit?pk={teacher.id}"
    response = await post(it, path, await load_form(it, path))
    assert response.status_code == 303, form_error(response.text)
    stored = await User.get(teacher.id)
    assert stored is not None
    assert [(t.class_name, t.subject) for t in stored.teaching] == [
        ("7A1", "TOAN"),
        ("6A9", "TOAN"),
    ]


async def test_the_last_sign_in_comes_from_the_journal(school: School) -> None:
    teacher = school.users["gv.toan"]
    client: httpx.AsyncClient = school.client()
    assert (await login(client, "gv.toan")).status_code == 303
    stored = await User.get(teacher.id)
    assert stored is not None
    assert stored.version == teacher.version  # the sign-in wrote nothing to the account
    it = await school.login("it.quantri")
    listing = (await it.get("/admin/users/list", params={"q": "gv.toan"})).text
    row = re.search(r"Sùng Văn Toán.*?</tr>", listing, re.S)
    assert row
    assert re.search(r"\d\d:\d\d ngày \d\d/\d\d/\d{4}", row.group(0)), "the sign-in is shown"


async def test_the_user_menu_links_to_changing_ones_password(school: School) -> None:
    it = await school.login("it.quantri")
    page = (await it.get("/admin/")).text
    assert 'id="menu-password" href="/account/password?next=/admin/"' in page
    assert 'id="menu-account" href="/account"' in page


def opening_option(html: str, name: str) -> tuple[str, str, bool]:
    """(value, label, whether any option is marked selected) of the select named ``name``:
    what a browser shows and sends when nobody touches it."""
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    found = re.findall(r'<option value="([^"]*)"[^>]*>\s*(.*?)\s*</option>', select.group(1), re.S)
    return found[0][0], found[0][1], "selected" in select.group(1)


async def test_a_new_assignment_starts_with_nothing_chosen(school: School) -> None:
    it = await school.login("it.quantri")
    # The template of a new assignment row (carried escaped in the page): a placeholder is
    # shown, not the first class and subject as if someone had picked them.
    item = html.unescape((await it.get("/admin/users/create")).text)
    assert opening_option(item, "class_name") == ("", "— Chọn lớp —", False)
    assert opening_option(item, "subject") == ("", "— Chọn môn học —", False)


async def test_an_assignment_left_unchosen_is_refused_by_row(school: School) -> None:
    it = await school.login("it.quantri")
    unchosen = dict(NEW_TEACHER) | {"teaching.1.class_name": "", "teaching.2.subject": ""}
    response = await post(it, "/admin/users/create", list(unchosen.items()))
    assert response.status_code == 422
    assert await User.find_one({"username": "gv.ly"}) is None
    assert form_error(response.text) == (
        "Phân công giảng dạy 2 › Lớp: Chưa chọn, hãy chọn một mục trong danh sách; "
        "Phân công giảng dạy 3 › Môn học: Chưa chọn, hãy chọn một mục trong danh sách"
    )
    # Everything else on the form is kept as it was sent, the unchosen ones still unchosen.
    kept = form_fields(response.text)
    for name in ("username", "full_name", "roles", "homeroom_classes", "subject_group"):
        assert [v for k, v in kept if k == name] == [unchosen[name]], name
    rows = [(k.rsplit(".", 1)[1], v) for k, v in kept if k.startswith("teaching.")]
    assert rows == [
        ("class_name", "7A2"),
        ("subject", "TOAN"),
        ("class_name", ""),
        ("subject", "TINHOC"),
        ("class_name", "7A2"),
        ("subject", ""),
    ]
