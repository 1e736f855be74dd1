"""The seeded roles against pupils in and out of scope: a matrix per role and action."""

from __future__ import annotations

import pytest
from perm_support import MATHS_GROUP, YEAR, make_user

from app.permissions import Role
from app.store import access_for, scope_for
from models.user import User
from seed.roles import default_roles, seed_roles
from tests.factories import make_student

PAST = "2024-2025"
# username -> (roles, extra user fields)
STAFF = {
    "bgh": (["bgh"], {}),
    "tocm": (["tocm", "gvbm"], {"subject_group": MATHS_GROUP, "teaching": [("9A1", "TINHOC")]}),
    "gvcn": (["gvcn"], {"homeroom_classes": ["7A1"]}),
    "gvbm": (["gvbm"], {"teaching": [("7A1", "TOAN"), ("8A2", "KHTN")]}),
    "vanphong": (["vanphong"], {}),
    "cntt": (["cntt"], {}),
    "nobody": ([], {}),
}


@pytest.fixture
async def school(mdb, catalogue):
    assert await seed_roles() == ["bgh", "tocm", "gvcn", "gvbm", "vanphong", "cntt", "phuhuynh"]
    users = {}
    for name, (roles, fields) in STAFF.items():
        user = make_user(f"u.{name}", roles=roles, **fields)
        await user.insert()
        users[name] = user
    pupils = {
        "7A1": make_student(class_name="7A1"),
        "8A2": make_student(grade=8, class_name="8A2"),
        # Was in 7A1 last year and has not been placed this year: not the homeroom's pupil now.
        "old": make_student(
            current={"school_year": PAST, "grade": 7, "class_name": "7A1"}, status="left"
        ),
    }
    for pupil in pupils.values():
        await pupil.insert()
    return users, pupils


VISIBILITY = [
    # who, pupil, action, allowed
    ("bgh", "7A1", "view", True),
    ("bgh", "old", "view", True),
    ("bgh", "8A2", "export", True),
    ("bgh", "7A1", "edit", False),
    ("bgh", "7A1", "delete", False),
    ("tocm", "8A2", "view", True),
    ("tocm", "old", "view", True),
    ("tocm", "8A2", "edit", False),
    ("gvcn", "7A1", "view", True),
    ("gvcn", "7A1", "edit", True),
    ("gvcn", "7A1", "export", True),
    ("gvcn", "8A2", "view", False),
    ("gvcn", "old", "view", False),
    ("gvcn", "7A1", "delete", False),
    ("gvbm", "7A1", "view", True),
    ("gvbm", "8A2", "edit", True),
    ("gvbm", "old", "view", False),
    ("gvbm", "7A1", "export", False),
    ("gvbm", "7A1", "create", False),
    ("vanphong", "old", "view", True),
    ("vanphong", "8A2", "edit", True),
    ("vanphong", "8A2", "create", True),
    ("vanphong", "8A2", "export", True),
    ("vanphong", "8A2", "delete", False),
    ("cntt", "8A2", "view", True),
    ("cntt", "8A2", "edit", False),
    ("cntt", "8A2", "export", False),
    ("nobody", "7A1", "view", False),
]


@pytest.mark.parametrize(("who", "pupil", "action", "allowed"), VISIBILITY)
async def test_who_sees_which_pupil(school, who, pupil, action, allowed) -> None:
    users, pupils = school
    access = await access_for(users[who])
    found = await access.handle("students", action).get(pupils[pupil].id)
    assert (found is not None) is allowed


FIELDS = [
    # who, pupil, kind, path, allowed
    ("bgh", "8A2", "read", "profile.address", True),
    ("bgh", "8A2", "read", f"years.{YEAR}.subjects.TOAN.hk1.gk", True),
    ("tocm", "8A2", "read", f"years.{YEAR}.subjects.TOAN.hk1.gk", True),
    ("tocm", "8A2", "read", f"years.{PAST}.subjects.TINHOC.year_average", True),
    ("tocm", "8A2", "read", f"years.{YEAR}.subjects.KHTN.hk1.gk", False),
    ("tocm", "8A2", "read", "profile.address", False),
    ("tocm", "8A2", "read", "profile.full_name", True),
    ("gvcn", "7A1", "read", f"years.{YEAR}.subjects.KHTN.hk1.gk", True),
    ("gvcn", "7A1", "read", "profile.guardians", True),
    ("gvcn", "7A1", "write", "profile.full_name", True),
    ("gvcn", "7A1", "write", f"years.{YEAR}.conduct.hk1", True),
    ("gvcn", "7A1", "write", f"years.{YEAR}.conduct.year", False),  # computed
    ("gvcn", "7A1", "write", f"years.{YEAR}.absences.hk2.excused", True),
    ("gvcn", "7A1", "write", f"years.{YEAR}.homeroom_comment", True),
    ("gvcn", "7A1", "write", f"years.{PAST}.conduct.hk1", False),
    ("gvcn", "7A1", "write", f"years.{YEAR}.subjects.TOAN.hk1.gk", False),
    ("gvcn", "7A1", "write", "code", False),
    ("gvbm", "7A1", "read", "profile.full_name", True),
    ("gvbm", "7A1", "read", "current.class_name", True),
    ("gvbm", "7A1", "read", "profile.address", False),
    ("gvbm", "7A1", "read", f"years.{YEAR}.subjects.TOAN.hk1.gk", True),
    ("gvbm", "7A1", "read", f"years.{YEAR}.subjects.GDTC.hk1.gk", False),
    ("gvbm", "7A1", "read", f"years.{YEAR}.subjects.KHTN.hk1.gk", False),
    ("gvbm", "7A1", "write", f"years.{YEAR}.subjects.TOAN.hk1.gk", True),
    ("gvbm", "7A1", "write", f"years.{YEAR}.subjects.TOAN.hk2.tx.0", True),
    ("gvbm", "7A1", "write", f"years.{YEAR}.subjects.TOAN.comment", True),
    ("gvbm", "7A1", "write", f"years.{YEAR}.subjects.TOAN.year_average", False),
    ("gvbm", "7A1", "write", f"years.{YEAR}.subjects.KHTN.hk1.gk", False),
    ("gvbm", "8A2", "write", f"years.{YEAR}.subjects.KHTN.hk1.gk", True),
    ("gvbm", "8A2", "write", f"years.{YEAR}.subjects.TOAN.hk1.gk", False),
    ("gvbm", "7A1", "write", f"years.{PAST}.subjects.TOAN.hk1.gk", False),
    ("gvbm", "7A1", "write", "profile.full_name", False),
    ("vanphong", "8A2", "write", "profile.address", True),
    ("vanphong", "8A2", "write", "moet_id", True),
    ("vanphong", "8A2", "write", f"years.{PAST}.awards", True),
    ("vanphong", "8A2", "write", f"years.{YEAR}.discipline.0.form", True),
    ("vanphong", "8A2", "write", f"years.{YEAR}.subjects.TOAN.hk1.gk", False),
    ("vanphong", "8A2", "write", f"years.{YEAR}.conduct.hk1", False),
    ("cntt", "8A2", "read", "code", True),
    ("cntt", "8A2", "read", "profile.full_name", True),
    ("cntt", "8A2", "read", f"years.{YEAR}.subjects.TOAN.hk1.gk", False),
    ("cntt", "8A2", "read", "profile.guardians", False),
]


@pytest.mark.parametrize(("who", "pupil", "kind", "path", "allowed"), FIELDS)
async def test_which_fields_each_role_reads_and_writes(
    school, who, pupil, kind, path, allowed
) -> None:
    users, pupils = school
    scope = await scope_for(users[who], "students", "view" if kind == "read" else "edit")
    assert scope.fields_for(pupils[pupil], kind).allows(path, pupils[pupil]) is allowed


ACCOUNTS = [
    ("bgh", "view", True),
    ("bgh", "edit", False),
    ("cntt", "view", True),
    ("cntt", "create", True),
    ("cntt", "edit", True),
    ("cntt", "delete", False),
    ("gvcn", "view", False),
    ("vanphong", "view", False),
]


@pytest.mark.parametrize(("who", "action", "allowed"), ACCOUNTS)
async def test_accounts_are_managed_by_it_and_seen_by_the_board(
    school, who, action, allowed
) -> None:
    users, _ = school
    scope = await scope_for(users[who], "users", action)
    assert scope.allowed is allowed
    if allowed:
        assert scope.readable.allows("username")
        assert not scope.readable.allows("password_hash")
        assert not scope.readable.allows("password_history")


@pytest.mark.parametrize(
    ("who", "resource", "action", "allowed"),
    [
        ("cntt", "roles", "edit", True),
        ("bgh", "roles", "view", True),
        ("bgh", "roles", "edit", False),
        ("gvcn", "roles", "view", False),
        ("cntt", "subjects", "create", True),
        ("gvbm", "classes", "view", True),
        ("gvbm", "classes", "edit", False),
        ("bgh", "change_log", "view", True),
        ("cntt", "change_log", "view", True),  # the global log, with fields filtered
        ("cntt", "auth_events", "view", True),
        ("cntt", "auth_events", "edit", False),
        ("bgh", "auth_events", "view", True),
        ("vanphong", "auth_events", "view", False),
    ],
)
async def test_other_resources(school, who, resource, action, allowed) -> None:
    users, _ = school
    assert (await scope_for(users[who], resource, action)).allowed is allowed


async def test_seeding_is_idempotent_and_keeps_tuned_roles(mdb) -> None:
    assert len(await seed_roles()) == 7
    tuned = await Role.find_one(Role.code == "gvcn")
    tuned.name = "GVCN (đã chỉnh)"
    tuned.permissions = tuned.permissions[:1]
    await tuned.save()
    await Role.find_one(Role.code == "cntt").delete()
    assert await seed_roles() == ["cntt"]
    kept = await Role.find_one(Role.code == "gvcn")
    assert kept.name == "GVCN (đã chỉnh)"
    assert len(kept.permissions) == 1
    assert await Role.count() == 7


def test_default_roles_have_vietnamese_names() -> None:
    names = {r.code: r.name for r in default_roles()}
    assert names == {
        "bgh": "Ban giám hiệu",
        "tocm": "Tổ trưởng chuyên môn",
        "gvcn": "Giáo viên chủ nhiệm",
        "gvbm": "Giáo viên bộ môn",
        "vanphong": "Văn phòng",
        "cntt": "Tổ Công nghệ thông tin",
        "phuhuynh": "Phụ huynh",
    }
    cntt = next(r for r in default_roles() if r.code == "cntt")
    assert not any(p.write_fields for p in cntt.permissions if p.resource == "students")


async def test_demo_school_teachers_see_exactly_their_classes(mdb) -> None:
    from seed.demo import seed_demo

    report = await seed_demo(students=40, seed=5)
    assert report.created_roles == [
        "bgh",
        "tocm",
        "gvcn",
        "gvbm",
        "vanphong",
        "cntt",
        "phuhuynh",
    ]
    students = mdb["students"]
    for user in await User.find({"roles": "gvcn"}).to_list():
        scope = await scope_for(user, "students", "view")
        homeroom = next(g for g in scope.matched if g.role == "gvcn")
        found = {d["current"]["class_name"] async for d in students.find(homeroom.filter)}
        assert found == set(user.homeroom_classes)
        # Demo homeroom teachers also teach: they see the union of both, nothing more.
        classes = set(user.homeroom_classes) | set(user.teaching_classes)
        expected = await students.count_documents({"current.class_name": {"$in": list(classes)}})
        assert await students.count_documents(scope.filter) == expected > 0
    assert (await seed_demo(students=40, seed=5)).created_roles == []
