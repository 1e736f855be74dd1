"""A school year the app wrote itself is remembered (app.records.parsed.YEARS): the next save
of a held record parses only the touched subjects and reuses the year's own results when the
touched subjects' results come out the same. What is stored is exactly what parsing and
computing the whole year gives, whatever the sequence of changes."""

from __future__ import annotations

import random
from typing import Any

import pytest
from bson.decimal128 import Decimal128

from app.context import Actor
from app.records.diff import get_path
from app.records.parsed import YEARS
from app.store import system_writer
from app.store.writes import BatchItem, Writer
from models.common import WriteSource
from tests.admin.school import YEAR, School
from tests.store.test_held_batch import read, stored
from tests.store.test_remembered_saves import computed_afresh

WRITER = Actor(id="t", name="Kiểm thử", role="system")
SUBJECTS = f"years.{YEAR}.subjects"
# Cells of the second term (the first may be locked): regular marks beyond the stored list
# change what is missing, the mid and final marks complete a term and change the year's results.
CELLS = ["tx.0", "tx.1", "tx.2", "tx.3", "gk", "ck"]
MARKS = ["", "3", "5", "6.5", "8", "9.5", "10"]


def _kept(outcome_stored: dict[str, Any], held: dict[str, Any]) -> dict[str, Any]:
    """The record as a score book keeps it after a save: what it read, as written."""
    return {k: v for k, v in outcome_stored.items() if k in held}


async def _save(writer: Writer, held: dict[str, Any], changes: dict[str, Any]) -> Any:
    (outcome,) = await writer.update_many([BatchItem(held["_id"], changes, stored=held)])
    return outcome


async def _saved_once(code: str) -> tuple[Writer, dict[str, Any]]:
    """A writer, and the pupil as a score book keeps it after one save of a mark."""
    writer = system_writer("students", WRITER, source=WriteSource.GRID)
    held = await read(writer, code)
    first = await _save(writer, held, {f"{SUBJECTS}.TOAN.hk2.gk": "7"})
    assert first.status == "saved"
    return writer, _kept(first.stored, held)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_any_sequence_of_saves_stores_what_the_whole_year_computes_to(
    school: School, seed: int
) -> None:
    rng = random.Random(seed)
    writer = system_writer("students", WRITER, source=WriteSource.GRID)
    held = await read(writer, "HS7A101")
    expected: dict[str, Any] = {}
    results_changed = results_kept = 0
    for _ in range(30):
        subject = rng.choice(["TOAN", "NGUVAN"])
        path = f"{SUBJECTS}.{subject}.hk2.{rng.choice(CELLS)}"
        mark = rng.choice(MARKS)
        pending_before = get_path(held, f"years.{YEAR}.pending")
        outcome = await _save(writer, held, {path: mark or None})
        if outcome.status == "refused":  # a regular mark beyond the list's end, say
            continue
        assert outcome.status in ("saved", "unchanged"), outcome
        if outcome.status == "unchanged":
            continue
        expected[path] = Decimal128(mark) if mark else None
        raw = await stored("HS7A101")
        for cell, value in expected.items():
            assert get_path(raw, cell) == value, cell
        # Every computed field, the year's own included, is what a full computation gives.
        assert computed_afresh(raw) == []
        held = _kept(outcome.stored, held)
        assert YEARS.get(get_path(held, f"years.{YEAR}")) is not None
        if get_path(raw, f"years.{YEAR}.pending") == pending_before:
            results_kept += 1
        else:
            results_changed += 1
    # Both ways were taken: results reused, and results worked out again.
    assert results_kept
    assert results_changed


async def test_a_subject_that_does_not_parse_is_refused_alike_from_a_remembered_year(
    school: School,
) -> None:
    writer, held = await _saved_once("HS7A102")
    assert YEARS.get(get_path(held, f"years.{YEAR}")) is not None
    # A mark of a subject the year does not have: the mark is valid, the subject it would
    # create is not (it has no kind of assessment).
    path = f"{SUBJECTS}.KHAC.hk2.gk"
    remembered = await _save(writer, held, {path: "5"})
    read_again = await _save(writer, await read(writer, "HS7A102"), {path: "5"})
    assert remembered.status == read_again.status == "refused"
    assert remembered.field == read_again.field == f"{SUBJECTS}.KHAC.kind"
    assert remembered.message == read_again.message
    assert get_path(await stored("HS7A102"), f"{SUBJECTS}.KHAC") is None  # nothing written


async def test_a_remembered_year_is_never_changed_by_the_saves_made_from_it(
    school: School,
) -> None:
    writer, held = await _saved_once("HS7A103")
    known = YEARS.get(get_path(held, f"years.{YEAR}"))
    assert known is not None
    model, result = known
    before = model.model_dump()
    # Complete the term: the subject's result and the year's own results change.
    second = await _save(writer, held, {f"{SUBJECTS}.TOAN.hk2.ck": "9"})
    assert second.status == "saved"
    assert model.model_dump() == before
    assert computed_afresh(await stored("HS7A103")) == []
    # The year as the second save wrote it is remembered in its place.
    assert YEARS.get(get_path(held, f"years.{YEAR}")) is None
    assert YEARS.get(get_path(_kept(second.stored, held), f"years.{YEAR}")) is not None
    assert result is not None


async def test_a_dry_run_leaves_what_is_remembered_as_it_is(school: School) -> None:
    writer, held = await _saved_once("HS7A101")
    year = get_path(held, f"years.{YEAR}")
    known = YEARS.get(year)
    assert known is not None
    (checked,) = await writer.update_many(
        [BatchItem(held["_id"], {f"{SUBJECTS}.TOAN.hk2.ck": "9"}, stored=held)], dry_run=True
    )
    assert checked.status == "would_save"
    assert YEARS.get(year) == known  # still the year the record holds, as it was
