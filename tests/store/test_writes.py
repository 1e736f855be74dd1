"""The writer's per-year path stores exactly what a whole-record write would have stored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from beanie.odm.utils.dump import get_dict
from bson.decimal128 import Decimal128

from app.context import Actor
from app.errors import InvalidInput
from app.records.compute import derive
from app.records.diff import get_path
from app.store import system_writer
from app.store.fields import cipher
from app.store.writes import BatchItem
from models.common import WriteSource
from models.student import StudentRecord
from seed.catalogue import CURRENT_YEAR
from seed.demo import seed_demo

WRITER = Actor(id="t", name="Kiểm thử", role="system")
BOOKKEEPING = {"version", "meta", "revision_id"}


async def test_a_score_written_through_its_year_is_stored_as_the_whole_record_would_be(
    mdb, beanie_db
) -> None:
    await seed_demo(students=12)
    writer = system_writer("students", WRITER, source=WriteSource.API)
    checked = 0
    async for raw in mdb["students"].find({}):
        year = raw["years"][CURRENT_YEAR]
        subject = next(c for c, s in year["subjects"].items() if s["kind"] == "score")
        # Term II is open in the demo school; "10" differs from whatever the seed drew.
        stored = await writer.update_stored(
            raw["_id"], {f"years.{CURRENT_YEAR}.subjects.{subject}.hk2.ck": Decimal("10")}
        )
        opened = await cipher().open(stored, "students")
        whole = StudentRecord.model_validate(opened)
        derive(whole)
        expected = {k: v for k, v in get_dict(whole, to_db=True).items() if k not in BOOKKEEPING}
        assert {k: v for k, v in opened.items() if k not in BOOKKEEPING} == expected
        assert stored["version"] == raw["version"] + 1
        checked += 1
    assert checked == 12


async def test_a_batch_answers_per_record_and_never_overwrites_a_value_changed_meanwhile(
    mdb, beanie_db
) -> None:
    await seed_demo(students=4)
    pupils = [doc async for doc in mdb["students"].find({}).sort("code", 1)]
    writer = system_writer("students", WRITER, source=WriteSource.GRID)
    path = "years.{}.subjects.{}.hk2.gk"

    def score_path(raw: dict) -> str:
        year = raw["years"][CURRENT_YEAR]
        subject = next(c for c, s in year["subjects"].items() if s["kind"] == "score")
        return path.format(CURRENT_YEAR, subject)

    first, second, third, fourth = pupils
    seen = {p["_id"]: (await mdb["students"].find_one({"_id": p["_id"]})) for p in pupils}
    # Someone else changes the second pupil's cell after the page was loaded.
    await writer.update_stored(second["_id"], {score_path(second): Decimal("3")})
    # The fourth pupil's term II is locked.
    await mdb["students"].update_one(
        {"_id": fourth["_id"]}, {"$set": {f"years.{CURRENT_YEAR}.locks.hk2.locked": True}}
    )

    def item(raw: dict, value: str) -> BatchItem:
        cell = score_path(raw)
        old = get_path(seen[raw["_id"]], cell)
        return BatchItem(raw["_id"], {cell: value}, seen={cell: old})

    old_third = get_path(third, score_path(third))
    batch = [
        item(first, "9,5"),
        item(second, "8"),
        BatchItem(third["_id"], {score_path(third): old_third}, seen=None),
        item(fourth, "7"),
    ]
    preview = await writer.update_many(batch, dry_run=True)
    assert [o.status for o in preview] == ["would_save", "conflict", "unchanged", "refused"]
    assert (await mdb["students"].find_one({"_id": first["_id"]}))["version"] == first["version"]

    outcomes = await writer.update_many(batch)
    assert [o.status for o in outcomes] == ["saved", "conflict", "unchanged", "refused"]
    stored_first = await mdb["students"].find_one({"_id": first["_id"]})
    assert get_path(stored_first, score_path(first)) == Decimal128("9.5")
    assert stored_first["version"] == first["version"] + 1
    conflict = outcomes[1]
    assert conflict.current == {score_path(second): Decimal128("3")}
    assert conflict.changed_by["actor_name"] == "Kiểm thử"
    assert get_path(await mdb["students"].find_one({"_id": second["_id"]}), score_path(second)) == (
        Decimal128("3")
    )
    assert "Học kỳ II" in (outcomes[3].message or "")


async def test_a_change_in_a_school_year_the_record_does_not_have_yet_is_checked_whole(
    mdb, beanie_db
) -> None:
    await seed_demo(students=4)
    raw = await mdb["students"].find_one({})
    writer = system_writer("students", WRITER, source=WriteSource.API)
    # The year's page does not exist: the change is validated against the whole record,
    # which refuses a school year without its grade and class.
    with pytest.raises(InvalidInput):
        await writer.update(raw["_id"], {"years.2030-2031.subjects.TOAN.hk1.gk": Decimal("8")})
    assert (await mdb["students"].find_one({"_id": raw["_id"]}))["version"] == raw["version"]
