"""Leaf differences: flags are not numbers, lists compare element by element."""

from __future__ import annotations

from bson.decimal128 import Decimal128

from app.records.diff import diff_at, diff_paths


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
