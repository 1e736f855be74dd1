"""The direct matcher of guarded writes answers exactly as mongomock-ng's matcher (with the
server's comparison rules) answers, errors included, on many random documents and filters."""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

import pytest
from bson import Decimal128, Int64, ObjectId, Regex
from mongomock_ng import filtering

import embedded_mongo.store  # noqa: F401  (installs the server's comparison rules)
from embedded_mongo import matcher

OID = ObjectId("65a000000000000000000001")
WHEN = datetime(2025, 9, 5, 7, 30)
SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    0.0,
    2,
    -1,
    Int64(1),
    float("nan"),
    Decimal128("1"),
    Decimal128("1.0"),
    Decimal128("NaN"),
    "1",
    "a",
    "",
    "7A1",
    OID,
    ObjectId("65a000000000000000000002"),
    WHEN,
    datetime(2025, 9, 5, 7, 31),
    b"a",
]
CONTAINERS: list[Any] = [[], [1], [None], ["a", 1], [[1]], [{"b": 1}], {}, {"b": 1}, {"c": None}]
ODD_QUERY_VALUES: list[Any] = [re.compile("^a"), Regex("1"), [1], [], {"b": 1}, {}, ("a",)]
KEYS = ["a", "b", "c", "0"]
PATHS = ["a", "b", "c", "a.b", "a.c", "b.c", "a.b.c", "a.0", "c.b.a", "0", "a..b", "a.$x", ""]
OPERATORS = ["$eq", "$ne", "$in", "$nin", "$exists", "$gt", "$not", "$all", "$size"]


def random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 0 and roll < 0.35:
        return {k: random_value(rng, depth - 1) for k in rng.sample(KEYS, rng.randint(0, 3))}
    if roll < 0.45:
        return rng.choice(CONTAINERS)
    return rng.choice(SCALARS)


def random_document(rng: random.Random) -> dict[str, Any]:
    doc: dict[str, Any] = {"_id": rng.randint(0, 3)}
    for key in rng.sample(KEYS, rng.randint(0, 4)):
        doc[key] = random_value(rng, 3)
    return doc


def query_value(rng: random.Random) -> Any:
    return rng.choice(ODD_QUERY_VALUES) if rng.random() < 0.08 else rng.choice(SCALARS)


def operand(rng: random.Random, operator: str) -> Any:
    if operator in ("$in", "$nin"):
        if rng.random() < 0.05:
            return rng.choice(["x", 5, {}])  # malformed: not an array
        return [query_value(rng) for _ in range(rng.randint(0, 3))]
    if operator == "$exists":
        return rng.choice([True, False, 1, 0, "yes", None])
    if operator == "$not":
        return {"$eq": query_value(rng)}
    if operator == "$all":
        return [query_value(rng)]
    if operator == "$size":
        return rng.randint(0, 2)
    return query_value(rng)


def condition(rng: random.Random) -> Any:
    if rng.random() < 0.35:
        return query_value(rng)
    # Mostly the operators the matcher answers itself, sometimes others.
    common = OPERATORS[:5] if rng.random() < 0.85 else OPERATORS
    ops = rng.sample(common, rng.randint(1, 3))
    spec = {op: operand(rng, op) for op in ops}
    if rng.random() < 0.03:
        spec["plain"] = 1  # operators mixed with a field name
    if rng.random() < 0.02:
        spec = {}
    return spec


def random_filter(rng: random.Random, depth: int = 2) -> Any:
    spec: dict[str, Any] = {}
    for _ in range(rng.randint(0, 3)):
        roll = rng.random()
        if depth > 0 and roll < 0.25:
            logical = rng.choice(["$and", "$or", "$nor"])
            clauses = [random_filter(rng, depth - 1) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.04:
                clauses = rng.choice([[], [1], {"a": 1}])  # malformed
            spec[logical] = clauses
        elif roll < 0.28:
            spec[rng.choice(["$comment", "$expr", "$where2"])] = "x"
        else:
            spec[rng.choice(PATHS)] = condition(rng)
    return spec


def answer(match: Any, spec: Any, doc: Any) -> Any:
    try:
        return bool(match(spec, doc))
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return type(exc), str(exc)


def guard(doc_id: Any, version: Any) -> dict[str, Any]:
    """The shape of the filter a score book save guards each pupil's update with."""
    return {
        "$and": [
            {"_id": doc_id, "version": version},
            {
                "$or": [
                    {"current.class_name": {"$in": ["7A1"]}, "current.school_year": "2025-2026"},
                    {"years.2025-2026.class_name": {"$in": ["7A1", "7A2"]}},
                ]
            },
            {
                "years.2025-2026.locks.hk2.locked": {"$ne": True},
                "years.2025-2026.locks.hk2.submitted": {"$ne": True},
                "years.2025-2026.subjects.TOAN.hk2.locked": {"$ne": True},
            },
        ]
    }


@pytest.mark.parametrize("seed", range(40))
def test_random_filters_match_as_mongomock_matches(seed: int) -> None:
    rng = random.Random(seed)
    docs = [random_document(rng) for _ in range(25)]
    direct = 0
    for _ in range(60):
        spec = random_filter(rng)
        for doc in docs:
            expected = answer(filtering.filter_applies, spec, doc)
            assert answer(matcher.filter_applies, spec, doc) == expected, (spec, doc)
            try:
                matcher._applies(spec, doc)
                direct += 1
            except matcher._Unsure:
                pass
            except Exception:  # noqa: BLE001,S110 - errors are compared above
                pass
    # Most are answered directly: the comparison above is not a comparison with itself.
    assert direct > 0.3 * 25 * 60


def _record(rng: random.Random, doc_id: int) -> dict[str, Any]:
    year = {
        "class_name": rng.choice(["7A1", "7A2", "8A1"]),
        "locks": rng.choice(
            [
                {},
                {"hk2": {}},
                {"hk2": {"locked": rng.choice([True, False, None, 1, "true"])}},
                {"hk2": {"locked": False, "submitted": rng.choice([True, False])}},
                {"hk2": [{"locked": True}]},
                {"hk2": None},
                {"hk2": "closed"},
            ]
        ),
        "subjects": {"TOAN": {"hk2": rng.choice([{}, {"locked": True}, {"gk": "7"}, []])}},
    }
    record: dict[str, Any] = {
        "_id": doc_id,
        "version": rng.choice([3, 3.0, Int64(3), Decimal128("3"), True, "3", 4]),
        "current": rng.choice(
            [
                {"class_name": "7A1", "school_year": "2025-2026"},
                {"class_name": ["7A1"], "school_year": "2025-2026"},
                {"class_name": "7A2", "school_year": "2024-2025"},
                None,
            ]
        ),
        "years": {"2025-2026": year} if rng.random() < 0.9 else {},
    }
    return record


@pytest.mark.parametrize("seed", range(10))
def test_guard_filters_match_as_mongomock_matches(seed: int) -> None:
    rng = random.Random(seed)
    for doc_id in range(200):
        doc = _record(rng, doc_id)
        spec = guard(doc_id, rng.choice([3, 3.0, Decimal128("3"), True]))
        expected = answer(filtering.filter_applies, spec, doc)
        assert answer(matcher.filter_applies, spec, doc) == expected, (spec, doc)


def test_the_plain_guard_is_answered_directly() -> None:
    doc = {
        "_id": 1,
        "version": 3,
        "current": {"class_name": "7A1", "school_year": "2025-2026"},
        "years": {"2025-2026": {"locks": {"hk2": {"locked": False}}, "subjects": {}}},
    }
    assert matcher._applies(guard(1, 3), doc) is True
    assert matcher._applies(guard(1, 4), doc) is False
    doc["years"]["2025-2026"]["locks"]["hk2"]["locked"] = True
    assert matcher._applies(guard(1, 3), doc) is False
