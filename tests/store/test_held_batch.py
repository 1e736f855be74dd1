"""A batch may hand the writer the records it has just read (a score book's save reads its
pupils once): each is checked as it was read, and trusted no further than that."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bson.decimal128 import Decimal128

from app.context import Actor
from app.records.diff import get_path
from app.store import access_for, system_writer
from app.store.writes import BatchItem, Writer
from models.common import WriteSource
from models.role import Action
from models.student import StudentRecord
from models.user import User
from tests.admin.school import YEAR, School

WRITER = Actor(id="t", name="Kiểm thử", role="system")
SCORES = f"years.{YEAR}.subjects.TOAN.hk2"


async def read(writer: Writer, code: str) -> dict[str, Any]:
    projection = dict.fromkeys(writer.read_fields([f"{SCORES}.gk"]), 1)
    raw = await StudentRecord.get_pymongo_collection().find_one({"code": code}, projection)
    assert raw is not None
    return raw


async def stored(code: str) -> dict[str, Any]:
    raw = await StudentRecord.get_pymongo_collection().find_one({"code": code})
    assert raw is not None
    return raw


async def test_what_a_held_record_needs_is_its_year_and_what_the_guards_read(
    school: School,
) -> None:
    user = await User.find_one({"username": "gv.toan"})
    assert user is not None
    writer = (await access_for(user)).writer("students", Action.EDIT, source=WriteSource.GRID)
    fields = writer.read_fields([f"{SCORES}.gk"])
    assert {"version", "meta", "status", "current", f"years.{YEAR}"} <= set(fields)
    # A change to the whole record is always read by the writer itself.
    assert writer.read_fields(["code"]) == []


async def test_a_held_record_is_written_with_its_guards_and_read_again_when_stale(
    school: School,
) -> None:
    writer = system_writer("students", WRITER, source=WriteSource.GRID)
    held = await read(writer, "HS7A101")
    # Someone writes another cell and then the page's own cell after the read.
    await writer.update_stored(held["_id"], {f"{SCORES}.ck": Decimal("5")})
    outcomes = await writer.update_many(
        [BatchItem(held["_id"], {f"{SCORES}.gk": "8"}, seen={f"{SCORES}.gk": None}, stored=held)]
    )
    assert [o.status for o in outcomes] == ["saved"]
    raw = await stored("HS7A101")
    # Written on the current record: the other change is kept.
    assert get_path(raw, f"{SCORES}.gk") == Decimal128("8")
    assert get_path(raw, f"{SCORES}.ck") == Decimal128("5")
    assert raw["version"] == held["version"] + 2

    stale = await read(writer, "HS7A102")
    await writer.update_stored(stale["_id"], {f"{SCORES}.gk": Decimal("3")})
    outcomes = await writer.update_many(
        [BatchItem(stale["_id"], {f"{SCORES}.gk": "9"}, seen={f"{SCORES}.gk": None}, stored=stale)]
    )
    assert [o.status for o in outcomes] == ["conflict"]
    assert outcomes[0].current == {f"{SCORES}.gk": Decimal128("3")}
    assert get_path(await stored("HS7A102"), f"{SCORES}.gk") == Decimal128("3")


async def test_a_held_record_outside_the_writers_scope_or_another_one_is_not_found(
    school: School,
) -> None:
    user = await User.find_one({"username": "gv.toan"})  # teaches 7A1 only
    assert user is not None
    writer = (await access_for(user)).writer("students", Action.EDIT, source=WriteSource.GRID)
    other_class = await read(writer, "HS7A201")
    mine = await read(writer, "HS7A101")
    outcomes = await writer.update_many(
        [
            BatchItem(other_class["_id"], {f"{SCORES}.gk": "8"}, stored=other_class),
            # A held record that is not the one asked for is not trusted.
            BatchItem(other_class["_id"], {f"{SCORES}.gk": "8"}, stored=mine),
        ]
    )
    assert [o.status for o in outcomes] == ["refused", "refused"]
    assert outcomes[0].message == "Không tìm thấy hồ sơ học sinh"
    assert (await stored("HS7A201"))["version"] == other_class["version"]
    assert (await stored("HS7A101"))["version"] == mine["version"]
