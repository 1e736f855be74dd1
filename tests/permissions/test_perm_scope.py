"""The chokepoint: deny by default, the effective filter, row-aware field rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from perm_support import YEAR, context, make_user

from app.permissions import (
    MATCH_NOTHING,
    Action,
    Permission,
    Role,
    compute_scope,
)
from app.permissions.matcher import matches, values_key
from app.permissions.scope import as_raw
from app.store import access_for, scope_for
from tests.factories import make_student

OWN_CLASS = {"current.class_name": {"$in": "$user.homeroom_classes"}}


def role(code: str, *permissions: Permission, active: bool = True) -> Role:
    return Role(code=code, name=f"Vai trò {code}", permissions=list(permissions), active=active)


def grant(resource: str = "students", actions=("view",), **fields) -> Permission:
    return Permission(resource=resource, actions=list(actions), **fields)


def gvcn_user(**fields):
    fields.setdefault("roles", ["gvcn"])
    return make_user("gv.lan", homeroom_classes=["7A1"], **fields)


def test_no_roles_no_grant() -> None:
    scope = compute_scope(context(make_user("gv.moi")), [], "students", Action.VIEW)
    assert not scope.allowed
    assert scope.filter == MATCH_NOTHING
    assert not scope.readable
    assert not scope.writable
    assert not scope.matches(make_student())


@pytest.mark.parametrize(
    ("user_fields", "make_roles", "resource", "action"),
    [
        ({"roles": ["gvcn"], "active": False}, lambda: [role("gvcn", grant())], "students", "view"),
        ({"roles": ["gvcn"]}, lambda: [role("gvcn", grant(), active=False)], "students", "view"),
        ({"roles": []}, lambda: [role("gvcn", grant())], "students", "view"),  # role not held
        (
            {"roles": ["gvcn"]},
            lambda: [role("gvcn", grant())],
            "students",
            "edit",
        ),  # action not granted
        ({"roles": ["gvcn"]}, lambda: [role("gvcn", grant())], "users", "view"),  # other resource
        (
            {"roles": ["gvcn"]},
            lambda: [role("gvcn")],
            "students",
            "view",
        ),  # role without permissions
    ],
)
def test_deny_by_default(user_fields, make_roles, resource, action) -> None:
    roles = make_roles()  # documents are built once Beanie is ready
    scope = compute_scope(context(make_user("gv.x", **user_fields)), roles, resource, action)
    assert not scope.allowed
    assert scope.filter == MATCH_NOTHING


def test_missing_variable_skips_the_permission() -> None:
    roles = [role("tocm", grant(row_filter={"group": "$user.subject_group"}))]
    scope = compute_scope(context(make_user("gv.x", roles=["tocm"])), roles, "students", "view")
    assert not scope.allowed
    assert [(s.role, s.index, s.reason) for s in scope.skipped] == [
        ("tocm", 0, "$user.subject_group")
    ]


TAUGHT = {"current.class_name": {"$in": "$user.teaching_classes"}}


def homeroom_and_subject_scope(homeroom: dict, taught: dict):
    """The edit scope of a homeroom teacher of 7A1 who teaches 8A2: the homeroom grant reads
    everything and writes the profile, the subject grant reads and writes the code."""
    roles = [
        role(
            "gvcn",
            grant(
                actions=["view", "edit"],
                row_filter=homeroom,
                read_fields=["**"],
                write_fields=["profile"],
            ),
        ),
        role(
            "gvbm",
            grant(
                actions=["view", "edit"],
                row_filter=taught,
                read_fields=["code"],
                write_fields=["code"],
            ),
        ),
    ]
    ctx = context(gvcn_user(roles=["gvcn", "gvbm"], teaching=[("8A2", "KHTN")]))
    return compute_scope(ctx, roles, "students", Action.EDIT)


def test_filter_is_the_or_of_the_grants() -> None:
    roles = [
        role("gvcn", grant(row_filter=OWN_CLASS, read_fields=["**"])),
        role("gvbm", grant(row_filter={"current.class_name": {"$in": ["8A2"]}})),
    ]
    ctx = context(gvcn_user(roles=["gvcn", "gvbm"]))
    scope = compute_scope(ctx, roles, "students", "view")
    assert scope.allowed
    assert scope.filter == {
        "$or": [{"current.class_name": {"$in": ["7A1"]}}, {"current.class_name": {"$in": ["8A2"]}}]
    }
    assert [(g.role, g.index) for g in scope.matched] == [("gvcn", 0), ("gvbm", 0)]


def test_one_unrestricted_grant_means_no_filter_and_duplicates_collapse() -> None:
    ctx = context(gvcn_user(roles=["aa", "bb"]))
    same = [role("aa", grant(row_filter=OWN_CLASS)), role("bb", grant(row_filter=OWN_CLASS))]
    assert compute_scope(ctx, same, "students", "view").filter == {
        "current.class_name": {"$in": ["7A1"]}
    }
    wide = [role("aa", grant(row_filter=OWN_CLASS)), role("bb", grant())]
    assert compute_scope(ctx, wide, "students", "view").filter == {}


def test_field_union_is_row_aware() -> None:
    """Profile writes come from the homeroom grant only: they must not leak to other rows."""
    scope = homeroom_and_subject_scope(OWN_CLASS, TAUGHT)
    own, other = make_student(class_name="7A1"), make_student(grade=8, class_name="8A2")
    stranger = make_student(grade=9, class_name="9A1")
    assert scope.writable.allows("profile.full_name")  # somewhere
    assert scope.fields_for(own, "write").allows("profile.full_name")
    assert not scope.fields_for(other, "write").allows("profile.full_name")
    assert scope.fields_for(other, "write").allows("code")
    assert scope.fields_for(other, "read").patterns == ("code",)
    assert scope.fields_for(own, "read").everything
    assert not scope.fields_for(stranger, "read")
    assert scope.matches(own)
    assert scope.matches(other)
    assert not scope.matches(stranger)
    assert scope.matches(as_raw(own))


async def _saved(user):
    await user.insert()
    return user


async def test_scope_for_reads_roles_fresh_each_call(mdb, catalogue) -> None:
    await role("gvcn", grant(row_filter=OWN_CLASS, read_fields=["**"])).insert()
    user = await _saved(gvcn_user())
    first = await scope_for(user, "students", "view")
    assert first.filter == {"current.class_name": {"$in": ["7A1"]}}
    stored = await Role.find_one(Role.code == "gvcn")
    stored.permissions[0].row_filter = {"current.grade": {"$gte": 6}}
    await stored.save()
    assert (await scope_for(user, "students", "view")).filter == {"current.grade": {"$gte": 6}}
    stored.active = False
    await stored.save()
    assert not (await scope_for(user, "students", "view")).allowed


async def test_scope_for_reads_the_user_fresh_each_call(mdb, catalogue) -> None:
    await role("gvcn", grant(row_filter=OWN_CLASS)).insert()
    user = await _saved(gvcn_user())
    stored = await type(user).get(user.id)
    stored.homeroom_classes = ["9A1"]
    await stored.save()
    assert (await scope_for(user, "students", "view")).filter == {
        "current.class_name": {"$in": ["9A1"]}
    }
    stored.active = False
    await stored.save()
    assert not (await scope_for(user, "students", "view")).allowed
    await stored.delete()
    assert not (await scope_for(user, "students", "view")).allowed


async def test_anonymous_and_unknown_resource(mdb) -> None:
    assert not (await scope_for(None, "students", "view")).allowed
    with pytest.raises(ValueError, match="unknown resource"):
        await scope_for(None, "diem", "view")


async def test_per_request_cache_holds_within_a_request_only(mdb, catalogue) -> None:
    await role("gvcn", grant(row_filter=OWN_CLASS)).insert()
    user = await _saved(gvcn_user())
    stored = await Role.find_one(Role.code == "gvcn")
    access = await access_for(user)  # one request's access
    before = access.scope("students", "view")
    stored.permissions[0].row_filter = {}
    await stored.save()
    assert access.scope("students", "view") is before
    assert (await scope_for(user, "students", "view")).filter == {}


async def check_record(user, resource, action, record_id):
    found = await (await access_for(user)).handle(resource, action).get(record_id)
    return found.stored if found is not None else None


async def test_restricted_handle_finds_only_records_in_scope(mdb, catalogue) -> None:
    await role("gvcn", grant(actions=["view", "edit"], row_filter=OWN_CLASS)).insert()
    user = await _saved(gvcn_user())
    own = make_student(class_name="7A1")
    other = make_student(grade=8, class_name="8A2")
    await own.insert()
    await other.insert()
    found = await check_record(user, "students", "view", own.id)
    assert found is not None
    assert found["code"] == own.code
    assert await check_record(user, "students", "view", str(own.id)) is not None
    assert await check_record(user, "students", "view", other.id) is None
    assert await check_record(user, "students", "delete", own.id) is None
    assert await check_record(None, "students", "view", own.id) is None
    # The pupil moved to another class (by anyone): out of the teacher's scope from then on.
    await mdb["students"].update_one({"_id": own.id}, {"$set": {"current.class_name": "8A2"}})
    assert await check_record(user, "students", "edit", own.id) is None


async def test_effective_filter_counts_the_same_rows_as_the_matcher(mdb, catalogue) -> None:
    roles = [
        role(
            "gvcn",
            grant(row_filter={**OWN_CLASS, "current.school_year": "$user.current_school_year"}),
        ),
        role(
            "xx",
            grant(row_filter={"$or": [{"status": "transferred"}, {"current.grade": {"$gt": 8}}]}),
        ),
    ]
    pupils = [
        make_student(class_name="7A1"),
        make_student(grade=8, class_name="8A2"),
        make_student(grade=9, class_name="9A1"),
        make_student(grade=6, class_name="6A1", status="transferred"),
    ]
    await type(pupils[0]).insert_many(pupils)
    ctx = context(gvcn_user(roles=["gvcn", "xx"]), year=YEAR)
    scope = compute_scope(ctx, roles, "students", "view")
    in_db = {d["code"] async for d in mdb["students"].find(scope.filter)}
    in_memory = {p.code for p in pupils if scope.matches(p)}
    assert in_db == in_memory == {pupils[0].code, pupils[2].code, pupils[3].code}


# -- grants remembered by the values the filters read -------------------------------------------

CLASSES = st.sampled_from(["7A1", "8A2", "9A1", 1, True, None, ["7A1"], ["8A2", "9A1"]])
RECORDS = st.fixed_dictionaries(
    {"current": st.fixed_dictionaries({"class_name": CLASSES})},
    optional={
        "status": st.sampled_from(["active", "left", 1, True, "1"]),
        "code": st.text(max_size=2),
    },
)


@settings(max_examples=300, deadline=None)
@given(records=st.lists(RECORDS, min_size=1, max_size=12))
def test_grants_remembered_by_value_are_those_matched_one_by_one(records) -> None:
    """Records alike in what the filters read share their grants; records that differ there
    (a class, its type: 1 is not True nor "1", a list) are matched on their own."""
    scope = homeroom_and_subject_scope(
        {"$or": [OWN_CLASS, {"status": "left"}]}, {"$or": [TAUGHT, {"status": 1}]}
    )
    for record in records:
        expected = [g for g in scope.matched if matches(g.filter, record)]
        assert scope.grants_for(record) == expected
        assert scope.matches(record) == bool(expected)
        rules = scope.fields_for(record, "write")
        assert rules.allows("profile.full_name") == any(g.role == "gvcn" for g in expected)
        assert rules.allows("code") == any(g.role == "gvbm" for g in expected)


def test_a_long_list_is_matched_without_being_remembered() -> None:
    scope = homeroom_and_subject_scope(
        {"$or": [OWN_CLASS, {"status": "left"}]}, {"$or": [TAUGHT, {"status": 1}]}
    )
    many = {"current": {"class_name": [f"9A{i}" for i in range(40)] + ["8A2"]}}
    assert values_key(many, [["current", "class_name"]]) is None
    assert [g.role for g in scope.grants_for(many)] == ["gvbm"]
    assert values_key({"current": {"class_name": True}}, [["current", "class_name"]]) != (
        values_key({"current": {"class_name": 1}}, [["current", "class_name"]])
    )


def test_a_write_is_checked_against_the_filters_only_where_they_read() -> None:
    scope = homeroom_and_subject_scope(
        {"current.class_name": "7A1"}, {"awards.title": {"$exists": True}}
    )
    # At, above or below a path a filter reads: the record may move out of the scope.
    assert scope.reads_around(["current.class_name"])
    assert scope.reads_around(["current"])
    assert scope.reads_around(["current.class_name.x"])
    # A filter reading across a list reads each of its positions.
    assert scope.reads_around(["awards.0.title"])
    assert scope.reads_around(["profile.full_name", "awards.2"])
    # Elsewhere: the record matches as it did.
    assert not scope.reads_around(["current.grade"])
    assert not scope.reads_around(["years.2025-2026.subjects.TOAN.hk2.tx.0"])
    assert not scope.reads_around(["currently"])
