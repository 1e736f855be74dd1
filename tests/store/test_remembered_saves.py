"""Saves that hold the records they wrote last (a score book's) reuse what was parsed and
computed of the subjects they did not touch: the records stored are exactly those a full
computation gives, whatever changed in between; batches are written in groups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from bson.decimal128 import Decimal128

from app.context import Actor
from app.records.compute import derive_year
from app.records.diff import get_path
from app.records.parsed import PARSED
from app.store import system_writer
from app.store import writes as writes_module
from app.store.writes import BatchItem
from models.common import WriteSource
from models.student_parts import SchoolYearRecord
from tests.admin.school import PUPILS, YEAR, School
from tests.store.test_held_batch import read, stored

WRITER = Actor(id="t", name="Kiểm thử", role="system")
TOAN = f"years.{YEAR}.subjects.TOAN"
CODES = [code for rows in PUPILS.values() for code, _, _ in rows]


def computed_afresh(raw: dict[str, Any]) -> list[str]:
    """What a full computation of the stored year would still change (nothing, if the
    stored results are the ones the year's inputs give)."""
    year = SchoolYearRecord.model_validate(raw["years"][YEAR])
    return derive_year(year)


async def test_saves_holding_their_records_store_what_a_full_computation_gives(
    school: School,
) -> None:
    writer = system_writer("students", WRITER, source=WriteSource.GRID)
    held = await read(writer, "HS7A101")
    marks = ["8", "6.5", "9", "7", "5.5", "10"]
    cells = ["hk2.tx.0", "hk2.tx.1", "hk2.gk", "hk2.ck", "hk1.tx.0", "hk2.tx.0"]
    for mark, cell in zip(marks, cells, strict=True):
        path = f"{TOAN}.{cell}"
        (outcome,) = await writer.update_many([BatchItem(held["_id"], {path: mark}, stored=held)])
        assert outcome.status == "saved", outcome
        assert outcome.stored is not None
        raw = await stored("HS7A101")
        assert get_path(raw, path) == Decimal128(mark)
        assert computed_afresh(raw) == []
        # The next save holds the record as this one wrote it, as a score book keeps it.
        held = {k: v for k, v in outcome.stored.items() if k in held}
        assert held["version"] == raw["version"]
        assert str(outcome.written) == str(raw["revision_id"])
    # The untouched subjects came from memory: the same objects the first save parsed.
    year = held["years"][YEAR]["subjects"]
    assert PARSED.model("NGUVAN", year["NGUVAN"]) is not None
    # A copy equal in every value is not the stored sub-document: parsed again.
    assert PARSED.model("NGUVAN", dict(year["NGUVAN"])) is None


async def test_a_change_elsewhere_in_between_is_read_and_computed_with(school: School) -> None:
    writer = system_writer("students", WRITER, source=WriteSource.GRID)
    held = await read(writer, "HS7A102")
    (first,) = await writer.update_many(
        [BatchItem(held["_id"], {f"{TOAN}.hk2.gk": "8"}, stored=held)]
    )
    assert first.status == "saved"
    assert first.stored is not None
    kept = {k: v for k, v in first.stored.items() if k in held}
    # Another subject changes outside this save: the kept record is stale.
    van = f"years.{YEAR}.subjects.NGUVAN.hk2.ck"
    await writer.update_stored(held["_id"], {van: Decimal("2")})
    (second,) = await writer.update_many(
        [BatchItem(held["_id"], {f"{TOAN}.hk2.ck": "9"}, stored=kept)]
    )
    assert second.status == "saved"
    raw = await stored("HS7A102")
    assert get_path(raw, van) == Decimal128("2")  # kept, and computed with
    assert get_path(raw, f"{TOAN}.hk2.ck") == Decimal128("9")
    assert computed_afresh(raw) == []


async def test_a_batch_is_written_in_groups_each_record_answered(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writes_module, "WRITE_GROUP", 2)  # several groups for a few pupils
    writer = system_writer("students", WRITER, source=WriteSource.GRID)
    held = {code: await read(writer, code) for code in CODES}
    gk = f"{TOAN}.hk2.gk"
    # Two records change after they were read: one at the very cell (a conflict), one
    # elsewhere (written on the record as it is now).
    await writer.update_stored(held[CODES[1]]["_id"], {gk: Decimal("3")})
    await writer.update_stored(held[CODES[4]]["_id"], {f"{TOAN}.hk2.ck": Decimal("4")})
    items = [
        BatchItem(held[code]["_id"], {gk: str(5 + i % 5)}, seen={gk: None}, stored=held[code])
        for i, code in enumerate(CODES)
    ]
    outcomes = await writer.update_many(items)
    statuses = {code: o.status for code, o in zip(CODES, outcomes, strict=True)}
    assert statuses == {code: "conflict" if code == CODES[1] else "saved" for code in CODES}
    for i, code in enumerate(CODES):
        raw = await stored(code)
        expected = Decimal128("3") if code == CODES[1] else Decimal128(str(5 + i % 5))
        assert get_path(raw, gk) == expected
        assert computed_afresh(raw) == []
    assert get_path(await stored(CODES[4]), f"{TOAN}.hk2.ck") == Decimal128("4")
