"""A change to a school year is compared where it and its derived results lie, not across the
whole year: that needs derivation to name every field it changed."""

from __future__ import annotations

from decimal import Decimal

from app.records.compute import derive_year
from app.records.diff import diff_at, diff_paths, get_path
from app.store.policies import policy_for
from app.store.stored import stored_form, stored_value
from models.student_parts import Promotion, SchoolYearRecord, TermLevels
from tests.factories import full_year


def _scrambled(year: SchoolYearRecord) -> SchoolYearRecord:
    """Every derived field set to something derivation will overwrite."""
    copy = year.model_copy(deep=True)
    for subject in copy.subjects.values():
        for term in (subject.hk1, subject.hk2):
            term.average = Decimal("1.5") if subject.kind == "score" else None
            term.result = "CĐ" if subject.kind == "comment" else None
        subject.year_average = Decimal("0.5")
        subject.year_result = None
    copy.learning = TermLevels.model_validate({"hk1": "K", "hk2": "K", "year": "K"})
    copy.conduct.year = "CĐ"
    copy.title = None
    copy.promotion = Promotion(outcome=None, reasons=["x"])
    copy.pending = ["x"]
    return copy


def test_derivation_names_every_field_it_changes() -> None:
    for score, level in (("9", "Đ"), ("4", "CĐ"), ("6,5", "Đ")):
        year = _scrambled(full_year(score=score, level=level))
        before = stored_form(year)
        listed = derive_year(year)
        after = stored_form(year)
        sets, unsets = diff_paths(before, after)
        assert sets, "the scrambled year must change"
        for path in [*sets, *unsets]:
            assert any(path == p or path.startswith(p + ".") for p in listed), path
        for path in listed:  # and only those
            assert any(p == path or p.startswith(path + ".") for p in [*sets, *unsets]), path


def test_a_diff_at_some_paths_is_the_whole_diff_there() -> None:
    old = {
        "a": {"b": 1, "c": [1, 2], "d": {"e": 1}},
        "f": 2,
        "g": {"h": 1},
    }
    new = {
        "a": {"b": 2, "c": [1, 3], "d": {"e": 1, "x": 5}},
        "f": 2,
        "g": {"h": 9},
        "n": {"m": 1},
    }
    everywhere = diff_paths(old, new)
    # Paths inside a list or a new branch are cut there; nested paths are compared once.
    sets, unsets = diff_at(old, new, ["a.b", "a.c.1", "a.d", "a.d.e", "n.m.k"])
    assert sets == {"a.b": 2, "a.c": [1, 3], "a.d.x": 5, "n": {"m": 1}}
    assert unsets == []
    assert {k: v for k, v in everywhere[0].items() if k != "g.h"} == sets
    assert diff_at(old, {"a": old["a"]}, ["g.h", "f"]) == ({}, ["f", "g"])
    assert diff_at(old, new, ["a.b"], encode=lambda v: v * 10) == ({"a.b": 20}, [])


def test_a_change_inside_one_subject_derives_only_that_subject_and_the_year() -> None:
    year = full_year(score="7")
    derive_year(year)
    before = stored_form(year)
    year.subjects["TOAN"].hk1.gk = Decimal("2")
    year.subjects["TOAN"].hk2.ck = Decimal("3")
    listed = derive_year(year, refresh={"TOAN"})
    sets, unsets = diff_paths(before, stored_form(year))
    changed = ["subjects.TOAN.hk1.gk", "subjects.TOAN.hk2.ck"]
    assert not any(p.startswith("subjects.NGUVAN.") for p in listed)
    assert "subjects.TOAN.hk1.average" in sets
    for path in [*sets, *unsets]:
        assert any(path == p or path.startswith(p + ".") for p in [*listed, *changed]), path


def test_the_dump_for_a_diff_holds_what_the_full_dump_holds_there() -> None:
    year = _scrambled(full_year(score="7"))
    before = stored_form(year)
    year.subjects["TOAN"].hk2.tx = [Decimal("2"), None, Decimal("9")]
    derived = derive_year(year)
    full = year.model_dump(mode="python")
    policy = policy_for("students")
    for changed in (
        ["subjects.TOAN.hk2.tx.0"],
        ["subjects.TOAN.hk2.tx"],
        ["conduct.hk2"],
        ["subjects"],
        ["subjects.TOAN.hk2.gk", "subjects.NGUVAN.hk1.ck", "homeroom_comment"],
    ):
        paths = [*changed, *derived]
        dumped = policy.dumped_at(year, paths, before)
        for path in paths:
            assert get_path(dumped, path) == get_path(full, path), path
        expected = diff_at(before, full, paths, encode=stored_value)
        assert diff_at(before, dumped, paths, encode=stored_value) == expected
        assert expected[0], "the change must show"
    # Where the stored part stops holding sub-documents along a path (a subject or a term
    # missing, or not a document), the dump holds the whole value from there.
    paths = ["subjects.TOAN.hk2.tx.0", "subjects.NGUVAN.hk1.ck", *derived]
    for stored in (
        {**before, "subjects": {k: v for k, v in before["subjects"].items() if k != "TOAN"}},
        {**before, "subjects": {**before["subjects"], "NGUVAN": {"hk1": None}}},
        {k: v for k, v in before.items() if k != "subjects"},
    ):
        dumped = policy.dumped_at(year, paths, stored)
        expected = diff_at(stored, full, paths, encode=stored_value)
        assert diff_at(stored, dumped, paths, encode=stored_value) == expected
