"""The in-memory matcher agrees with MongoDB for every allow-listed operator."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from bson import ObjectId
from bson.decimal128 import Decimal128

from app.permissions.matcher import compare, equal, matches, resolve

PUPIL = {
    "_id": ObjectId("65f000000000000000000001"),
    "code": "HS00001",
    "status": "studying",
    "current": {"school_year": "2025-2026", "grade": 7, "class_name": "7A1"},
    "profile": {
        "full_name": "Ksor Thị H'Lan",
        "birth_date": datetime(2013, 5, 17),
        "guardians": [
            {"relation": "cha", "full_name": "Ksor Y Bhim", "phone": "0912"},
            {"relation": "me", "full_name": "H' Hen Niê", "phone": None},
        ],
    },
    "tags": ["noi_tru", "dan_toc"],
    "matrix": [[1, 2], [3]],
    "years": {
        "2025-2026": {
            "subjects": {
                "TOAN": {"hk1": {"tx": [Decimal128("8.5"), Decimal128("6")], "gk": 7}},
                "GDTC": {"hk1": {"tx": ["Đ", "Đ"], "gk": "Đ"}},
            },
            "awards": [],
        }
    },
    "score": Decimal128("7.5"),
    "ratio": 0.5,
    "flag": True,
    "nothing": None,
}

CASES = [
    # equality, dotted paths, implicit array matching
    ({"code": "HS00001"}, True),
    ({"code": "hs00001"}, False),
    ({"current.class_name": "7A1"}, True),
    ({"current.grade": 7.0}, True),
    ({"current.grade": Decimal128("7")}, True),
    ({"current.grade": "7"}, False),
    ({"tags": "noi_tru"}, True),
    ({"tags": ["noi_tru", "dan_toc"]}, True),
    ({"tags": ["dan_toc", "noi_tru"]}, False),
    ({"profile.guardians.relation": "me"}, True),
    ({"profile.guardians.1.relation": "me"}, True),
    ({"profile.guardians.0.relation": "me"}, False),
    ({"profile.guardians.phone": "0912"}, True),
    ({"profile.guardians": {"relation": "cha", "full_name": "Ksor Y Bhim", "phone": "0912"}}, True),
    (
        {"profile.guardians": {"full_name": "Ksor Y Bhim", "relation": "cha", "phone": "0912"}},
        False,
    ),
    ({"matrix": [3]}, True),
    ({"matrix": 3}, False),
    ({"flag": True}, True),
    ({"flag": 1}, False),
    ({"current": {"school_year": "2025-2026", "grade": 7, "class_name": "7A1"}}, True),
    # null and missing
    ({"nothing": None}, True),
    ({"missing": None}, True),
    ({"code": None}, False),
    ({"current.missing": None}, True),
    ({"profile.guardians.phone": None}, True),
    ({"missing": {"$ne": None}}, False),
    ({"code": {"$ne": None}}, True),
    ({"missing": {"$in": [None, 1]}}, True),
    ({"missing": {"$nin": [None]}}, False),
    ({"missing": {"$nin": ["x"]}}, True),
    # $eq / $ne / $in / $nin
    ({"current.class_name": {"$eq": "7A1"}}, True),
    ({"current.class_name": {"$ne": "7A1"}}, False),
    ({"tags": {"$ne": "noi_tru"}}, False),
    ({"current.class_name": {"$in": ["7A1", "8A2"]}}, True),
    ({"current.class_name": {"$in": []}}, False),
    ({"current.class_name": {"$nin": []}}, True),
    ({"tags": {"$in": ["x", "dan_toc"]}}, True),
    ({"tags": {"$nin": ["x", "dan_toc"]}}, False),
    ({"_id": {"$in": [ObjectId("65f000000000000000000001")]}}, True),
    ({"_id": "65f000000000000000000001"}, False),
    # comparisons with type bracketing
    ({"current.grade": {"$gt": 6, "$lte": 7}}, True),
    ({"current.grade": {"$gt": 7}}, False),
    ({"current.grade": {"$gte": "6"}}, False),
    ({"score": {"$gt": 7}}, True),
    ({"score": {"$gt": 7.5}}, False),
    ({"score": {"$gte": 7.5}}, True),
    ({"ratio": {"$lt": 1}}, True),
    ({"years.2025-2026.subjects.TOAN.hk1.tx": {"$gt": 8}}, True),
    ({"years.2025-2026.subjects.TOAN.hk1.tx": {"$gt": 9}}, False),
    ({"years.2025-2026.subjects.TOAN.hk1.tx": {"$gt": 8, "$lt": 7}}, True),  # per element
    ({"profile.full_name": {"$gt": "K", "$lt": "L"}}, True),
    ({"profile.full_name": {"$gt": 5}}, False),
    ({"profile.birth_date": {"$gte": datetime(2013, 1, 1)}}, True),
    ({"profile.birth_date": {"$lt": datetime(2013, 5, 17)}}, False),
    ({"profile.birth_date": {"$gt": "2012"}}, False),
    ({"nothing": {"$gte": None}}, True),
    ({"missing": {"$lte": None}}, True),
    ({"nothing": {"$gt": None}}, False),
    ({"code": {"$gte": None}}, False),
    ({"flag": {"$gt": False}}, True),
    ({"flag": {"$gt": 0}}, False),
    # $exists
    ({"moet_id": {"$exists": False}}, True),
    ({"nothing": {"$exists": True}}, True),
    ({"profile.guardians.phone": {"$exists": True}}, True),
    ({"profile.guardians.email": {"$exists": True}}, False),
    ({"years.2025-2026.subjects.KHTN": {"$exists": False}}, True),
    # $size / $all
    ({"tags": {"$size": 2}}, True),
    ({"tags": {"$size": 1}}, False),
    ({"years.2025-2026.awards": {"$size": 0}}, True),
    ({"code": {"$size": 7}}, False),
    ({"tags": {"$all": ["dan_toc", "noi_tru"]}}, True),
    ({"tags": {"$all": ["dan_toc", "x"]}}, False),
    ({"tags": {"$all": []}}, False),
    ({"code": {"$all": ["HS00001"]}}, True),
    # $regex
    ({"code": {"$regex": "^HS0"}}, True),
    ({"code": {"$regex": "^hs0"}}, False),
    ({"code": {"$regex": "^hs0", "$options": "i"}}, True),
    ({"profile.full_name": {"$regex": "h'lan$", "$options": "i"}}, True),
    ({"tags": {"$regex": "^dan"}}, True),
    ({"current.grade": {"$regex": "7"}}, False),
    ({"profile.guardians.full_name": {"$regex": "Niê$"}}, True),
    # $not
    ({"current.class_name": {"$not": {"$in": ["7A1"]}}}, False),
    ({"current.class_name": {"$not": {"$in": ["8A1"]}}}, True),
    ({"missing": {"$not": {"$gt": 1}}}, True),
    ({"code": {"$not": {"$regex": "^X"}}}, True),
    ({"code": {"$not": {"$regex": "^hs", "$options": "i"}}}, False),
    # $elemMatch
    ({"profile.guardians": {"$elemMatch": {"relation": "me", "phone": None}}}, True),
    ({"profile.guardians": {"$elemMatch": {"relation": "cha", "phone": None}}}, False),
    ({"years.2025-2026.subjects.TOAN.hk1.tx": {"$elemMatch": {"$gt": 8, "$lt": 7}}}, False),
    ({"years.2025-2026.subjects.TOAN.hk1.tx": {"$elemMatch": {"$gte": 6, "$lt": 7}}}, True),
    ({"profile.guardians": {"$elemMatch": {"$or": [{"relation": "x"}, {"phone": "0912"}]}}}, True),
    ({"current": {"$elemMatch": {"grade": 7}}}, False),
    # logical
    ({"$or": [{"code": "x"}, {"current.grade": 7}]}, True),
    ({"$or": [{"code": "x"}, {"current.grade": 8}]}, False),
    ({"$and": [{"code": "HS00001"}, {"current.grade": 7}]}, True),
    ({"$and": [{"code": "HS00001"}, {"current.grade": 8}]}, False),
    ({"$nor": [{"code": "x"}, {"current.grade": 8}]}, True),
    ({"$nor": [{"code": "x"}, {"current.grade": 7}]}, False),
    ({}, True),
    ({"_id": {"$in": []}}, False),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_matcher(query, expected) -> None:
    assert matches(query, PUPIL) is expected


# Where the embedded test server departs from MongoDB; the matcher follows MongoDB, and these
# cases are checked against the server only when it is a real MongoDB. Empty: the embedded
# server's comparison rules (embedded_mongo/semantics.py) now agree on every case above.
EMBEDDED_DEVIATIONS: list[dict] = []


async def test_matcher_agrees_with_the_database(mdb, embedded_server) -> None:
    """The same table against the server: every case on a real MongoDB, and on the embedded
    server all but its known deviations."""
    collection = mdb["matcher_cases"]
    await collection.insert_one(PUPIL)
    disagreements = []
    checked = 0
    deviations = {repr(q) for q in EMBEDDED_DEVIATIONS}  # repr: key order matters here
    for query, expected in CASES:
        if embedded_server is not None and repr(query) in deviations:
            continue
        checked += 1
        found = await collection.count_documents(query) == 1
        if found is not expected:
            disagreements.append(query)
    assert disagreements == []
    assert checked >= len(CASES) - len(deviations)


def test_type_aware_comparison() -> None:
    assert compare(1, Decimal("1.0")) == 0
    assert compare(Decimal128("2.5"), 2.4) == 1
    assert compare(1, 1.5) == -1
    assert compare("a", 1) is None
    assert compare(True, 1) is None
    assert compare(None, None) == 0
    assert compare(date(2025, 1, 1), datetime(2025, 1, 1)) == 0
    aware = datetime(2025, 1, 1, 7, tzinfo=timezone(timedelta(hours=7)))
    assert compare(aware, datetime(2025, 1, 1)) == 0
    assert compare(datetime(2025, 1, 1, tzinfo=UTC), datetime(2024, 12, 31)) == 1
    assert compare(ObjectId("65f000000000000000000002"), ObjectId("65f000000000000000000001")) == 1
    assert equal({"a": 1, "b": [1, 2]}, {"a": 1.0, "b": [1, Decimal("2")]})
    assert not equal({"a": 1}, {"a": 1, "b": 2})
    assert not equal([1], 1)
    assert not equal(None, 0)


def test_resolve_returns_present_values_only() -> None:
    assert resolve(PUPIL, "current.class_name") == ["7A1"]
    assert resolve(PUPIL, "profile.guardians.phone") == ["0912", None]
    assert resolve(PUPIL, "moet_id") == []


def test_unsupported_operators_are_not_guessed() -> None:
    with pytest.raises(ValueError, match=r"\$where"):
        matches({"$where": "1"}, PUPIL)
    with pytest.raises(ValueError, match=r"\$mod"):
        matches({"code": {"$mod": [2, 0]}}, PUPIL)
