"""A change event's updateDescription is the same whether the new version of the document
shares its unchanged parts with the old one (a plain update) or not, and the same as a plain
field-by-field comparison of the two versions gives, on many random documents and updates."""

from __future__ import annotations

import copy
import math
import random
from typing import Any

import pytest
from bson import Binary, Decimal128, Int64

from embedded_mongo.changes import describe_update
from embedded_mongo.updates import plain_update

KEYS = ["a", "b", "c", "1", "d.e"]
VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    Int64(1),
    2,
    float("nan"),
    Decimal128("1"),
    Binary(b"\x01" * 16, 4),
    "x",
    "",
    [],
    [1, 2],
    [1.0, 2],
    [{"a": 1}],
    {},
    {"a": 1},
    {"a": 1.0},
    {"b": [1, {"c": None}]},
]


def random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 0 and roll < 0.3:
        return {k: random_value(rng, depth - 1) for k in rng.sample(KEYS, rng.randint(0, 4))}
    if depth > 0 and roll < 0.4:
        return [random_value(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    return copy.deepcopy(rng.choice(VALUES))


def random_path(rng: random.Random, doc: Any) -> str:
    """Mostly a path into what the document holds, sometimes one beyond it."""
    parts: list[str] = []
    node = doc
    while True:
        if isinstance(node, dict) and node and rng.random() < 0.75:
            key = rng.choice(list(node))
            if "." in key:
                key = "c"
            parts.append(key)
            node = node.get(key)
        elif isinstance(node, list) and node and rng.random() < 0.75:
            index = rng.randrange(len(node))
            parts.append(str(index))
            node = node[index]
        else:
            if not parts or rng.random() < 0.3:
                parts.append(rng.choice(["a", "b", "n", "0"]))
            return ".".join(parts)


def random_update(rng: random.Random, doc: dict[str, Any]) -> dict[str, Any]:
    update: dict[str, dict[str, Any]] = {}
    for _ in range(rng.randint(1, 4)):
        operator = rng.choice(["$set", "$set", "$unset", "$inc"])
        path = random_path(rng, doc)
        if operator == "$set":
            value: Any = random_value(rng, 2)
        elif operator == "$unset":
            value = ""
        else:
            value = rng.choice([1, 0, -3])
        update.setdefault(operator, {})[path] = value
    return update


def _reference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The comparison written out plainly: every field of both versions, by type and value."""
    updated: dict[str, Any] = {}
    removed: list[str] = []
    truncated: list[dict[str, Any]] = []
    parts: dict[str, list[Any]] = {}

    def path(components: tuple[Any, ...]) -> str:
        text = ".".join(str(c) for c in components)
        parts[text] = list(components)
        return text

    def same(a: Any, b: Any) -> bool:
        return type(a) is type(b) and a == b

    def diff(old: Any, new: Any, prefix: tuple[Any, ...]) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            for key, value in new.items():
                here = (*prefix, key)
                if key not in old:
                    updated[path(here)] = copy.deepcopy(value)
                elif not same(old[key], value):
                    if isinstance(old[key], (dict, list)) and type(old[key]) is type(value):
                        diff(old[key], value, here)
                    else:
                        updated[path(here)] = copy.deepcopy(value)
            removed.extend(path((*prefix, key)) for key in old if key not in new)
            return
        if isinstance(old, list) and isinstance(new, list):
            for index, value in enumerate(new):
                here = (*prefix, index)
                if index >= len(old):
                    updated[path(here)] = copy.deepcopy(value)
                elif not same(old[index], value):
                    if isinstance(old[index], dict) and isinstance(value, dict):
                        diff(old[index], value, here)
                    else:
                        updated[path(here)] = copy.deepcopy(value)
            if len(new) < len(old):
                truncated.append({"field": path(prefix), "newSize": len(new)})

    diff(before, after, ())
    ambiguous = {
        p: c
        for p, c in parts.items()
        if any(isinstance(x, str) and (x.isdigit() or "." in x) for x in c)
    }
    return {
        "updatedFields": updated,
        "removedFields": removed,
        "truncatedArrays": truncated,
        "disambiguatedPaths": ambiguous,
    }


def _comparable(value: Any) -> Any:
    """NaN made equal to itself, and types kept, so that two descriptions compare exactly."""
    if isinstance(value, dict):
        return ("dict", [(k, _comparable(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_comparable(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


@pytest.mark.parametrize("seed", range(30))
def test_descriptions_of_shared_and_copied_versions_agree(seed: int) -> None:
    rng = random.Random(seed)
    planned = 0
    for _ in range(250):
        before = {"_id": 1}
        for key in rng.sample(KEYS, rng.randint(0, len(KEYS))):
            before[key] = random_value(rng, 3)
        update = random_update(rng, before)
        untouched = copy.deepcopy(before)
        after = plain_update(before, update)
        if after is None:
            continue  # the general path: its versions never share anything
        planned += 1
        assert _comparable(before) == _comparable(untouched), "the old version was changed"
        shared = describe_update(before, after)
        copied = describe_update(copy.deepcopy(before), copy.deepcopy(after))
        expected = _reference(before, after)
        assert _comparable(shared) == _comparable(expected), (before, update)
        assert _comparable(copied) == _comparable(expected), (before, update)
    assert planned >= 25


def test_an_identical_nan_is_still_reported_as_changed() -> None:
    nan = float("nan")
    before = {"_id": 1, "x": nan, "y": {"z": nan}}
    after = {"_id": 1, "x": nan, "y": before["y"]}
    # Python's == says a NaN differs even from itself; a document holding one does not.
    assert describe_update(before, after)["updatedFields"].keys() == {"x"}
    assert _comparable(describe_update(before, after)) == _comparable(_reference(before, after))
