"""Editing a pupil in the panel: the form offers exactly the writable fields, including the
guardians list, and a save changes only what was changed."""

from __future__ import annotations

import asyncio

from models.role import Action, Permission, Role
from models.student import StudentRecord
from tests.admin.school import School, form_error, load_form, post, replace, staff


def edit_path(school: School, code: str) -> str:
    return f"/admin/students/edit?pk={school.pupil_id(code)}"


async def record(code: str) -> StudentRecord:
    found = await StudentRecord.find_one({"code": code})
    assert found is not None
    return found


async def test_saving_the_profile_keeps_the_guardians(school: School) -> None:
    for username in ("vp.thuky", "gv.cn7a1"):  # both may write the whole profile
        client = await school.login(username)
        pairs = await load_form(client, edit_path(school, "HS7A101"))
        assert dict(pairs)["profile.guardians.1.full_name"] == "Mẹ của Nguyễn Văn An"
        response = await post(
            client,
            edit_path(school, "HS7A101"),
            replace(pairs, profile__birth_place=f"Nơi sinh của {username}"),
        )
        assert response.status_code == 303, form_error(response.text)
        saved = await record("HS7A101")
        assert saved.profile.birth_place == f"Nơi sinh của {username}"
        assert [(g.relation, g.full_name, g.phone) for g in saved.profile.guardians] == [
            ("me", "Mẹ của Nguyễn Văn An", "0912345678")
        ]


async def test_guardians_can_be_added_and_edited(school: School) -> None:
    office = await school.login("vp.thuky")
    path = edit_path(school, "HS7A102")
    pairs = replace(
        await load_form(office, path),
        profile__guardians__1__phone="0987000111",
        profile__guardians__2__relation="cha",
        profile__guardians__2__full_name="Ksor Y Blông",
        profile__guardians__2__occupation="Làm nương",
    )
    response = await post(office, path, pairs)
    assert response.status_code == 303, form_error(response.text)
    saved = await record("HS7A102")
    assert [(g.relation, g.full_name, g.phone) for g in saved.profile.guardians] == [
        ("me", "Mẹ của Ksor Thị H'Lan", "0987000111"),
        ("cha", "Ksor Y Blông", None),
    ]


async def test_a_subject_teacher_gets_no_profile_fields(school: School) -> None:
    teacher = await school.login("gv.toan")
    pairs = await load_form(teacher, edit_path(school, "HS7A101"))
    assert [name for name, _ in pairs] == ["version"]
    before = await record("HS7A101")
    response = await post(teacher, edit_path(school, "HS7A101"), pairs)
    assert response.status_code == 303
    after = await record("HS7A101")
    assert after.profile == before.profile
    assert after.version == before.version  # nothing to save: nothing written


async def test_a_reader_without_the_version_still_gets_the_conflict_check(
    school: School,
) -> None:
    """A role may write a field without reading the record's version: the form carries it."""
    role = Role(
        code="ghi_noi_sinh",
        name="Ghi nơi sinh",
        permissions=[
            Permission(
                resource="students",
                actions=[Action.VIEW, Action.EDIT],
                read_fields=["code", "profile.birth_place"],
                write_fields=["profile.birth_place"],
            )
        ],
        version=1,
    )
    await role.insert()
    await staff("nv.noisinh", ["ghi_noi_sinh"]).insert()
    a, b = await school.login("nv.noisinh"), await school.login("nv.noisinh")
    path = edit_path(school, "HS7A103")
    form_a, form_b = await load_form(a, path), await load_form(b, path)
    assert dict(form_a)["version"] == "1"
    results = await asyncio.gather(
        post(a, path, replace(form_a, profile__birth_place="Buôn Ma Thuột")),
        post(b, path, replace(form_b, profile__birth_place="Krông Pắc")),
    )
    assert sorted(r.status_code for r in results) == [303, 422]
    late = post(b, path, replace(form_b, profile__birth_place="Ea Kar"))
    assert (await late).status_code == 422
    saved = await record("HS7A103")
    assert saved.version == 2
    assert saved.profile.birth_place in ("Buôn Ma Thuột", "Krông Pắc")
