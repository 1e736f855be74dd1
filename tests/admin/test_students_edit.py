"""Editing a pupil in the panel: the form offers exactly the writable fields, including the
guardians list, and a save changes only what was changed."""

from __future__ import annotations

import asyncio

from pymongo.asynchronous.database import AsyncDatabase

from models.role import Action, Permission, Role
from models.student import StudentRecord
from tests.admin.school import School, form_error, load_form, post, replace, staff
from tests.factories import stored_pupil


def edit_path(school: School, code: str) -> str:
    return f"/admin/students/edit?pk={school.pupil_id(code)}"


async def record(code: str) -> StudentRecord:
    found = await stored_pupil({"code": code})
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


async def test_a_subject_teacher_is_offered_no_empty_form(school: School) -> None:
    """A subject teacher may edit a pupil's record, but only the scores of their subjects,
    which this form does not hold: no edit buttons, and the form itself is refused."""
    teacher = await school.login("gv.toan")
    pk = school.pupil_id("HS7A101")
    listing = await teacher.get("/admin/students/list")
    assert pk in listing.text
    assert f"/admin/students/edit?pk={pk}" not in listing.text
    detail = await teacher.get(f"/admin/students/detail?pk={pk}")
    assert detail.status_code == 200
    assert "/admin/students/edit" not in detail.text
    assert (await teacher.get(edit_path(school, "HS7A101"))).status_code == 403
    before = await record("HS7A101")
    response = await post(teacher, edit_path(school, "HS7A101"), {"version": "1"})
    assert response.status_code == 403
    assert (await record("HS7A101")).version == before.version


async def test_the_form_holds_what_may_be_written_in_this_record(
    school: School, mdb: AsyncDatabase
) -> None:
    """7A1's homeroom teacher who also teaches maths in 7A2: the 7A1 form has the profile;
    a 7A2 pupil's form has nothing they may write (their maths scores are not on it), so it
    says so and offers no save button, and a crafted post changes nothing."""
    await mdb["users"].update_one(
        {"username": "gv.cn7a1"},
        {
            "$set": {
                "roles": ["gvcn", "gvbm"],
                "teaching": [{"class_name": "7A2", "subject": "TOAN"}],
            }
        },
    )
    teacher = await school.login("gv.cn7a1")
    listing = (await teacher.get("/admin/students/list")).text
    assert edit_path(school, "HS7A101") in listing  # the edit button where it is of use...
    assert school.pupil_id("HS7A201") in listing
    assert edit_path(school, "HS7A201") not in listing  # ...and not where it is not
    detail = await teacher.get(f"/admin/students/detail?pk={school.pupil_id('HS7A201')}")
    assert detail.status_code == 200
    assert edit_path(school, "HS7A201") not in detail.text
    own = await teacher.get(edit_path(school, "HS7A101"))
    assert own.status_code == 200
    assert 'name="profile.full_name"' in own.text
    assert 'id="nothing-to-edit"' not in own.text
    assert "Lưu và thêm mới" not in own.text  # a homeroom teacher does not add pupils

    taught = await teacher.get(edit_path(school, "HS7A201"))
    assert taught.status_code == 200
    assert 'id="nothing-to-edit"' in taught.text
    assert "Không có thông tin nào trong biểu mẫu này bạn được sửa ở hồ sơ này." in taught.text
    assert 'name="profile.full_name"' not in taught.text
    assert 'type="submit" class' not in taught.text.split('id="nothing-to-edit"')[1]
    before = await record("HS7A201")
    crafted = {"profile.full_name": "Tên Bị Đổi", "version": str(before.version)}
    await post(teacher, edit_path(school, "HS7A201"), crafted)
    after = await record("HS7A201")
    assert after.profile == before.profile
    assert after.version == before.version


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
