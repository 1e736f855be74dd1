"""``$user.<attr>`` values and their substitution into row filters."""

from __future__ import annotations

import pytest
from beanie import PydanticObjectId
from bson import ObjectId
from perm_support import MATHS_GROUP, YEAR, context, make_user

from app.permissions.substitute import MissingVariable, substitute
from app.store import principal_of


async def user_context(user):
    """The context the data layer builds for a stored account (one database command)."""
    await user.insert()
    return (await principal_of(user.id)).ctx


def teacher():
    return make_user(
        "gv.lan",
        roles=["gvcn", "gvbm"],
        homeroom_classes=["7A1"],
        teaching=[("7A1", "TOAN"), ("8A2", "KHTN"), ("7A2", "TOAN")],
        subject_group=MATHS_GROUP,
    )


def test_every_variable_has_a_value() -> None:
    ctx = context(teacher(), group_subjects=("TOAN", "TINHOC"))
    assert ctx.value("$user.username") == "gv.lan"
    assert ctx.value("$user.roles") == ["gvcn", "gvbm"]
    assert ctx.value("$user.homeroom_classes") == ["7A1"]
    assert ctx.value("$user.teaching_classes") == ["7A1", "7A2", "8A2"]
    assert ctx.value("$user.teaching_subjects") == ["KHTN", "TOAN"]
    assert ctx.value("$user.subject_group") == MATHS_GROUP
    assert ctx.value("$user.group_subjects") == ["TINHOC", "TOAN"]
    assert ctx.value("$user.current_school_year") == YEAR
    assert ctx.value("$user.id") is None  # not saved yet
    assert ctx.assigned_subjects("7A1") == {"TOAN"}
    assert ctx.assigned_subjects("9A1") == frozenset()
    with pytest.raises(KeyError):
        ctx.value("$user.password_hash")


async def test_user_context_reads_the_catalogues(mdb, catalogue) -> None:
    ctx = await user_context(teacher())
    assert ctx.current_school_year == YEAR
    assert ctx.group_subjects == ("TINHOC", "TOAN")
    loner = await user_context(make_user("gv.khac", teaching=[("6A1", "GDTC")]))
    assert loner.group_subjects == ()


async def test_user_context_without_a_current_year(mdb) -> None:
    ctx = await user_context(teacher())
    assert ctx.current_school_year is None


def test_scalar_and_list_variables_are_substituted() -> None:
    ctx = context(teacher())
    query = {
        "current.class_name": {"$in": "$user.homeroom_classes"},
        "current.school_year": "$user.current_school_year",
        "owner": "$user.username",
    }
    assert substitute(query, ctx) == {
        "current.class_name": {"$in": ["7A1"]},
        "current.school_year": YEAR,
        "owner": "gv.lan",
    }
    assert query["current.class_name"] == {"$in": "$user.homeroom_classes"}  # not mutated


def test_list_variables_are_spliced_into_lists() -> None:
    ctx = context(teacher())
    query = {
        "a": {"$in": ["$user.teaching_classes", "9A9", "$user.username"]},
        "b": {"$nin": "$user.homeroom_classes"},
        "c": {"$all": ["$user.teaching_subjects"]},
    }
    assert substitute(query, ctx) == {
        "a": {"$in": ["7A1", "7A2", "8A2", "9A9", "gv.lan"]},
        "b": {"$nin": ["7A1"]},
        "c": {"$all": ["KHTN", "TOAN"]},
    }


def test_list_variable_as_plain_equality_becomes_in() -> None:
    ctx = context(teacher())
    assert substitute({"current.class_name": "$user.teaching_classes"}, ctx) == {
        "current.class_name": {"$in": ["7A1", "7A2", "8A2"]}
    }


def test_substitution_reaches_nested_operators() -> None:
    ctx = context(teacher())
    query = {
        "$or": [
            {"current.class_name": {"$not": {"$in": "$user.homeroom_classes"}}},
            {"guardians": {"$elemMatch": {"name": "$user.username"}}},
            {"tx": {"$elemMatch": {"$gte": 5}}},
        ],
        "$nor": [{"x": {"$eq": "$user.subject_group"}}],
    }
    assert substitute(query, ctx) == {
        "$or": [
            {"current.class_name": {"$not": {"$in": ["7A1"]}}},
            {"guardians": {"$elemMatch": {"name": "gv.lan"}}},
            {"tx": {"$elemMatch": {"$gte": 5}}},
        ],
        "$nor": [{"x": {"$eq": MATHS_GROUP}}],
    }


def test_empty_lists_stay_empty() -> None:
    ctx = context(make_user("gv.moi"))
    assert substitute({"c": {"$in": "$user.homeroom_classes"}}, ctx) == {"c": {"$in": []}}


@pytest.mark.parametrize(
    "query",
    [
        {"group": "$user.subject_group"},
        {"x": {"$ne": "$user.subject_group"}},
        {"x": {"$nin": ["$user.subject_group"]}},
        {"$or": [{"y": 1}, {"current.school_year": "$user.current_school_year"}]},
    ],
)
def test_a_variable_without_value_raises(query) -> None:
    ctx = context(make_user("gv.moi"), year=None)
    with pytest.raises(MissingVariable):
        substitute(query, ctx)


def test_user_id_becomes_an_object_id_under_id() -> None:
    user = make_user("gv.lan")
    user.id = PydanticObjectId("65f000000000000000000009")
    ctx = context(user)
    assert substitute({"_id": "$user.id", "meta.actor_id": "$user.id"}, ctx) == {
        "_id": ObjectId("65f000000000000000000009"),
        "meta.actor_id": "65f000000000000000000009",
    }
    assert substitute({"_id": {"$in": ["$user.id"]}}, ctx) == {
        "_id": {"$in": [ObjectId("65f000000000000000000009")]}
    }
