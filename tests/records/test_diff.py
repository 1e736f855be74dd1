"""Leaf differences: flags are not numbers, lists compare element by element."""

from __future__ import annotations

from typing import Any

from bson.decimal128 import Decimal128
from hypothesis import given, settings
from hypothesis import strategies as st

from app.records.diff import diff_at, diff_paths, get_path


def test_a_flag_is_not_a_number() -> None:
    old = {"a": True, "b": [1, True], "c": 1, "d": 0}
    new = {"a": 1, "b": [True, 1], "c": True, "d": False}
    sets, unsets = diff_paths(old, new)
    assert sets == new
    assert unsets == []


def test_equal_values_are_not_written() -> None:
    old = {"s": "x", "n": None, "m": Decimal128("8.5"), "l": [Decimal128("7"), None], "k": {"v": 1}}
    new = {"s": "x", "n": None, "m": Decimal128("8.5"), "l": [Decimal128("7"), None], "k": {"v": 1}}
    assert diff_paths(old, new) == ({}, [])
    new["l"] = [Decimal128("7"), Decimal128("6")]
    new["m"] = Decimal128("8.50")  # another number as stored, though equal in value
    assert diff_paths(old, new) == ({"m": new["m"], "l": new["l"]}, [])


def test_removed_keys_are_unset_and_paths_limit_the_comparison() -> None:
    old = {"a": {"x": 1, "y": 2}, "b": {"z": 1}}
    new = {"a": {"x": 1}, "b": {"z": 2}}
    assert diff_paths(old, new) == ({"b.z": 2}, ["a.y"])
    assert diff_at(old, new, ["a.x", "a"]) == ({}, ["a.y"])
    assert diff_at(old, new, ["b.z"]) == ({"b.z": 2}, [])


# -- diff_at against the whole diff, on random documents ---------------------------------------

KEYS = st.sampled_from(["a", "b", "c"])
LEAVES = st.one_of(st.none(), st.integers(0, 2), st.booleans(), st.sampled_from(["x", "y"]))
TREES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=2), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=8,
)
DOCS = st.dictionaries(KEYS, TREES, max_size=3)
PATHS = st.lists(st.lists(KEYS, min_size=1, max_size=3).map(".".join), min_size=1, max_size=4)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".")


@settings(max_examples=400, deadline=None)
@given(old=DOCS, new=DOCS, paths=PATHS)
def test_diff_at_is_the_whole_diff_where_the_paths_lie(
    old: dict[str, Any], new: dict[str, Any], paths: list[str]
) -> None:
    """Every change diff_at reports is one the whole diff reports too, or the whole of a
    branch that diff reports leaf by leaf below it; every change the whole diff reports at or
    below a path's cut point is covered."""
    sets, unsets = diff_at(old, new, paths)
    all_sets, all_unsets = diff_paths(old, new)
    for path, value in sets.items():
        below = {p: v for p, v in all_sets.items() if _under(p, path)}
        assert below, (path, all_sets)
        assert path in all_sets or get_path(new, path) == value
    for path in unsets:
        assert path in all_unsets
    assert len(unsets) == len(set(unsets))
    # Nothing outside the paths' branches is touched.
    touched = [*sets, *unsets]
    for path in touched:
        top = path.split(".")[0]
        assert any(p.split(".")[0] == top for p in paths)
    # Whatever differs exactly at a path given is reported.
    for path in paths:
        if get_path(old, path) != get_path(new, path) and all(
            isinstance(get_path(d, p), dict)
            for d in (old, new)
            for p in [".".join(path.split(".")[:i]) for i in range(1, path.count(".") + 1)]
        ):
            assert any(_under(path, t) or _under(t, path) for t in touched), path
