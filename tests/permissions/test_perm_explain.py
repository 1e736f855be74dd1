"""Explain (which rule grants, which clause fails) and impact counts for the IT group."""

from __future__ import annotations

import pytest
from perm_support import MATHS_GROUP, YEAR, make_user

from app.permissions import Permission, Role
from app.store.explain import explain, impact, record_name
from seed.roles import seed_roles
from tests.factories import make_student

PAST = "2024-2025"


@pytest.fixture
async def school(mdb, catalogue):
    await seed_roles()
    gvcn = make_user("gv.lan", roles=["gvcn"], homeroom_classes=["7A1"])
    await gvcn.insert()
    pupils = {
        "7A1": make_student(class_name="7A1"),
        "8A2": make_student(grade=8, class_name="8A2"),
        "old": make_student(current={"school_year": PAST, "grade": 7, "class_name": "7A1"}),
    }
    for pupil in pupils.values():
        await pupil.insert()
    return gvcn, pupils


async def test_granted_names_the_role_and_the_fields(school) -> None:
    gvcn, pupils = school
    result = await explain(gvcn, "students", pupils["7A1"].id, "edit")
    assert result.allowed
    assert result.summary.startswith("«gv.lan» ĐƯỢC sửa hồ sơ học sinh «")
    name = pupils["7A1"].profile.full_name
    assert f"«{name} ({pupils['7A1'].code})»" in result.summary
    assert str(pupils["7A1"].id) not in result.summary
    assert "«Giáo viên chủ nhiệm» (gvcn) quyền số 1" in result.summary
    assert result.readable == ["**"]
    assert "profile" in result.writable
    assert "years.$current_year.homeroom_comment" in result.writable
    assert [v.granted for v in result.verdicts] == [True]
    assert result.verdicts[0].readable == ["**"]
    assert result.verdicts[0].covers_action
    assert "Được sửa: profile" in result.text()


async def test_denied_points_at_the_failing_clause_with_the_actual_value(school) -> None:
    gvcn, pupils = school
    result = await explain(gvcn, "students", pupils["8A2"].id)
    assert not result.allowed
    assert "KHÔNG được xem" in result.summary
    assert "không quyền nào có bộ lọc khớp hồ sơ này" in result.summary
    assert (
        "Điều kiện current.class_name ∈ [7A1] không thỏa: hồ sơ có current.class_name = 8A2"
        in result.verdicts[0].reason
    )
    assert result.verdicts[0].reason.startswith("Vai trò «Giáo viên chủ nhiệm» (gvcn), quyền số 1")
    assert result.readable == []
    assert result.writable == []


async def test_second_clause_fails_for_last_years_pupil(school) -> None:
    gvcn, pupils = school
    result = await explain(gvcn, "students", pupils["old"].id)
    assert not result.allowed
    assert (
        f"Điều kiện current.school_year = {YEAR} không thỏa: hồ sơ có current.school_year = {PAST}"
        in result.text()
    )


async def test_action_not_granted_by_any_role(school) -> None:
    gvcn, pupils = school
    result = await explain(gvcn, "students", pupils["7A1"].id, "delete")
    assert not result.allowed
    assert "chỉ cho phép Xem, Sửa, Xuất, không gồm «Xóa»" in result.verdicts[0].reason
    cntt = make_user("it.binh", roles=["cntt"])
    await cntt.insert()
    denied = await explain(cntt, "students", pupils["7A1"].id, "edit")
    assert "chỉ cho phép Xem, không gồm «Sửa»" in denied.text()
    assert "không vai trò nào của tài khoản cấp quyền «Sửa» trên «Hồ sơ học sinh»" in denied.summary
    nothing = await explain(cntt, "change_log", pupils["7A1"].id)
    assert "không tìm thấy bản ghi này" in nothing.summary


async def test_or_branches_and_missing_variables(school) -> None:
    _, pupils = school
    await Role(
        code="kiemtra",
        name="Kiểm tra",
        permissions=[
            Permission(
                resource="students",
                actions=["view"],
                row_filter={"$or": [{"status": "left"}, {"current.grade": {"$gte": 9}}]},
            ),
            Permission(
                resource="students", actions=["view"], row_filter={"x": "$user.subject_group"}
            ),
        ],
    ).insert()
    user = make_user("gv.kt", roles=["kiemtra"])
    await user.insert()
    text = (await explain(user, "students", pupils["8A2"].id)).text()
    assert (
        "Không nhánh nào của $or thỏa: (1) Điều kiện status = left không thỏa: hồ sơ có "
        "status = studying; (2) Điều kiện current.grade ≥ 9 không thỏa: hồ sơ có current.grade = 8"
    ) in text
    assert "quyền số 2: Biến $user.subject_group chưa có giá trị với tài khoản này" in text


async def test_account_and_role_problems(school) -> None:
    gvcn, pupils = school
    record = pupils["7A1"].id
    assert "chưa đăng nhập" in (await explain(None, "students", record)).summary
    lonely = make_user("gv.moi")
    await lonely.insert()
    assert "chưa được gán vai trò nào" in (await explain(lonely, "students", record)).summary
    ghost = make_user("gv.ma", roles=["gvcn", "khongco"])
    await ghost.insert()
    text = (await explain(ghost, "students", record)).text()
    assert "Vai trò «khongco» không tồn tại hoặc không hợp lệ" in text
    role = await Role.find_one(Role.code == "gvcn")
    role.active = False
    await role.save()
    off = await explain(gvcn, "students", record)
    assert not off.allowed
    assert "Vai trò «Giáo viên chủ nhiệm» (gvcn) đang tắt" in off.text()
    assert "không vai trò nào của tài khoản cấp quyền «Xem» trên «Hồ sơ học sinh»" in off.summary
    gvcn.active = False
    await gvcn.save()
    assert "tài khoản đang bị khóa" in (await explain(gvcn, "students", record)).summary


async def test_impact_counts_before_and_after(school) -> None:
    gvcn, pupils = school
    other = make_user("gv.hoa", roles=["gvcn"], homeroom_classes=["8A2"], subject_group=MATHS_GROUP)
    await other.insert()
    retired = make_user("gv.cu", roles=["gvcn"], homeroom_classes=["7A1"], active=False)
    await retired.insert()
    wider = [
        Permission(resource="students", actions=["view"], read_fields=["**"]),
        Permission(resource="users", actions=["view"], read_fields=["username"]),
    ]
    rows = await impact("gvcn", wider)
    by = {(r.username, r.resource): r for r in rows}
    # Old and new (the default gvcn role also follows its books and requests in the chain).
    resources = ["students", "parent_reports", "classes", "school_years", "subjects", "users"]
    resources += ["gradebooks", "corrections"]
    assert sorted(by) == sorted((u, r) for u in ("gv.lan", "gv.hoa") for r in resources)
    assert (by["gv.lan", "students"].before, by["gv.lan", "students"].after) == (1, 3)
    assert (by["gv.hoa", "students"].before, by["gv.hoa", "students"].after) == (1, 3)
    assert by["gv.lan", "students"].delta == 2
    assert (by["gv.lan", "students"].added, by["gv.lan", "students"].removed) == (2, 0)
    assert (by["gv.lan", "users"].before, by["gv.lan", "users"].after) == (0, 3)  # gv.cu too
    assert by["gv.lan", "students"].describe() == (
        "Nguyễn Thị Lan (gv.lan) – Hồ sơ học sinh: 1 → 3 (thêm 2, bớt 0)"
    )
    # Nothing was saved: the role still grants what it did.
    role = await Role.find_one(Role.code == "gvcn")
    assert role.permissions[0].row_filter != {}


async def test_impact_of_narrowing_and_of_a_new_role(school) -> None:
    gvcn, _ = school
    rows = await impact("gvcn", [])
    assert [(r.username, r.resource, r.before, r.after, r.removed) for r in rows] == [
        ("gv.lan", "students", 1, 0, 1),
        *[
            (
                "gv.lan",
                r,
                *(
                    [4, 0, 4]
                    if r == "subjects"
                    else [2, 0, 2]
                    if r == "school_years"
                    else [0, 0, 0]
                ),
            )
            for r in (
                "classes",
                "corrections",
                "gradebooks",
                "parent_reports",
                "school_years",
                "subjects",
            )
        ],
    ]
    assert await impact("moi", [Permission(resource="students", actions=["view"])]) == []
    gvcn.roles.append("moi")
    await gvcn.save()
    rows = await impact("moi", [Permission(resource="students", actions=["view"])])
    assert [(r.resource, r.before, r.after, r.added, r.removed) for r in rows] == [
        ("students", 1, 3, 2, 0)
    ]


@pytest.mark.parametrize(
    ("record", "name"),
    [
        (
            {"_id": 1, "code": "HS7A101", "profile": {"full_name": "Nguyễn Văn An"}},
            "«Nguyễn Văn An (HS7A101)»",
        ),
        (
            {"_id": 1, "username": "gv.lan", "full_name": "Nguyễn Thị Lan"},
            "«Nguyễn Thị Lan (gv.lan)»",
        ),
        ({"_id": 1, "code": "gvcn", "name": "Giáo viên chủ nhiệm"}, "«Giáo viên chủ nhiệm (gvcn)»"),
        ({"_id": 1, "name": "7A1", "school_year": "2025-2026"}, "«7A1 (2025-2026)»"),
        ({"_id": 1, "code": "2025-2026"}, "«2025-2026»"),
        ({"_id": "65f0c0ffee"}, "65f0c0ffee"),
    ],
)
def test_record_name(record: dict[str, object], name: str) -> None:
    assert record_name(record) == name
