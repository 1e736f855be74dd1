"""The writer's per-year path stores exactly what a whole-record write would have stored."""

from __future__ import annotations

from decimal import Decimal

from beanie.odm.utils.dump import get_dict

from app.context import Actor
from app.records.compute import derive
from app.store import system_writer
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
        whole = StudentRecord.model_validate(stored)
        derive(whole)
        expected = {k: v for k, v in get_dict(whole, to_db=True).items() if k not in BOOKKEEPING}
        assert {k: v for k, v in stored.items() if k not in BOOKKEEPING} == expected
        assert stored["version"] == raw["version"] + 1
        checked += 1
    assert checked == 12
