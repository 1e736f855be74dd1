"""A book's save reuses the pupils its last save read and wrote, as long as they are what is
stored: a record changed since (a new version or a new revision) is read again, and what is
stored is exactly what a save reading everything afresh stores."""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from bson import ObjectId
from bson.decimal128 import Decimal128

from app.grading import term_average
from app.scorebook import kept as kept_module
from app.scorebook.kept import KEPT, KeptRecords, keep_written, read_fields
from models.student import StudentRecord
from tests.admin.school import School
from tests.admin.test_scorebook import SCORES, TOAN, at, save, set_raw, stored

FIRST = {"tx1": "8", "tx2": "9", "tx3": "7", "tx4": "6", "gk": "8"}


def edits(pid: str, typed: dict[str, str]) -> list[dict[str, Any]]:
    return [{"row": pid, "col": c, "text": t, "seen": None} for c, t in typed.items()]


def average(gk: str) -> Decimal:
    regular = [Decimal(v) for v in ("8", "9", "7", "6")]
    return term_average(regular=regular, mid=Decimal(gk), final=Decimal("9.5"))


@pytest.fixture(autouse=True)
def nothing_kept() -> None:
    KEPT.clear()


async def test_the_next_save_uses_what_the_last_one_wrote(school: School) -> None:
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    assert (await save(teacher, TOAN, edits(pid, FIRST)))["counts"]["saved"] == 5
    raw = await stored("HS7A101")
    assert len(KEPT) == 1
    (oid, fields), kept = next(iter(KEPT._records.items()))
    assert (kept.version, kept.revision) == (raw["version"], str(raw["revision_id"]))
    # Exactly what reading it again would give (the stamp to the millisecond included).
    again = await StudentRecord.get_pymongo_collection().find_one(
        {"_id": oid}, dict.fromkeys(fields, 1)
    )
    assert kept.stored == again
    answer = await save(teacher, TOAN, edits(pid, {"ck": "9,5"}))
    assert answer["counts"]["saved"] == 1
    after = await stored("HS7A101")
    assert after["version"] == raw["version"] + 1
    assert at(after, f"{SCORES}.hk2.average") == average("8")
    assert at(after, f"{SCORES}.hk2.tx") == [Decimal128(v) for v in ("8", "9", "7", "6")]


async def _new_version(code: str) -> None:
    await set_raw(code, {f"{SCORES}.hk2.gk": Decimal128("2")})


async def _new_revision_at_the_same_version(code: str) -> None:
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": code},
        {"$set": {f"{SCORES}.hk2.gk": Decimal128("2"), "revision_id": uuid.uuid4()}},
    )


@pytest.mark.parametrize("change", [_new_version, _new_revision_at_the_same_version])
async def test_a_pupil_changed_elsewhere_since_is_read_again(school: School, change: Any) -> None:
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    await save(teacher, TOAN, edits(pid, FIRST))
    await change("HS7A101")
    answer = await save(teacher, TOAN, edits(pid, {"ck": "9,5"}))
    assert answer["counts"]["saved"] == 1
    assert at(await stored("HS7A101"), f"{SCORES}.hk2.average") == average("2")


async def test_a_seen_value_is_checked_against_the_record_as_stored(school: School) -> None:
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    await save(teacher, TOAN, edits(pid, FIRST))
    await set_raw("HS7A101", {f"{SCORES}.hk2.gk": Decimal128("5")})
    cell = (await save(teacher, TOAN, [{"row": pid, "col": "gk", "text": "7", "seen": "8"}]))[
        "cells"
    ][0]
    assert (cell["status"], cell["display"]) == ("conflict", "5")


async def test_a_kept_pupil_is_not_found_by_a_reader_outside_the_class(school: School) -> None:
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    await save(teacher, TOAN, edits(pid, FIRST))
    other = await school.login("gv.cn7a2")
    answer = await save(other, TOAN, edits(pid, {"ck": "2"}))
    assert answer["cells"][0]["status"] == "refused"
    assert at(await stored("HS7A101"), f"{SCORES}.hk2.ck") is None


def handle(resource: str = "students", roots: dict[str, Any] | None = None) -> Any:
    scope = SimpleNamespace(filter=roots or {"current.class_name": "7A1"})
    return SimpleNamespace(resource=resource, scope=scope, view=SimpleNamespace(filter={}))


def test_only_the_state_read_is_handed_out_and_memory_is_bounded() -> None:
    kept = KeptRecords(limit=2)
    ids = [ObjectId() for _ in range(3)]
    for n, oid in enumerate(ids):
        kept.put((oid, ("version",)), n, f"r{n}", {"_id": oid, "version": n})
    assert len(kept) == 2
    assert kept.get((ids[0], ("version",)), 0, "r0") is None  # the oldest went first
    assert kept.get((ids[1], ("version",)), 2, "r1") is None  # another version
    assert kept.get((ids[1], ("version",)), 1, "r1") is None  # dropped by the mismatch
    assert kept.get((ids[2], ("version",)), 2, "r3") is None  # another revision
    assert len(kept) == 0


def test_a_record_is_kept_for_a_few_minutes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = KeptRecords(seconds=300)
    oid = ObjectId()
    now = [1000.0]
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: now[0])
    kept.put((oid, ("version",)), 1, "r1", {"_id": oid, "version": 1})
    now[0] += 299
    assert kept.get((oid, ("version",)), 1, "r1") == {"_id": oid, "version": 1}
    now[0] += 2  # five minutes after it was kept: read again, even unchanged
    assert kept.get((oid, ("version",)), 1, "r1") is None
    assert len(kept) == 0


def test_encrypted_fields_and_other_shapes_are_never_kept() -> None:
    assert read_fields(handle(), ["profile.full_name", "version"]) == (
        "current",
        "profile.full_name",
        "version",
    )
    assert read_fields(handle(), ["profile", "version"]) is None  # guardians' phones
    assert read_fields(handle(), ["moet_id"]) is None
    kept = KeptRecords()
    oid = ObjectId()
    whole = {"_id": oid, "version": 2, "current": {}, "moet_id": "0123"}
    keep_written(handle(), ["version"], [(whole, uuid.uuid4())], kept)
    assert len(kept) == 0
    keep_written(handle(), ["version"], [({"_id": oid, "version": 2}, None)], kept)
    assert len(kept) == 0
    keep_written(handle(), ["version"], [({"_id": oid, "version": 2}, "r")], kept)
    assert kept.get((oid, ("current", "version")), 2, "r") == {"_id": oid, "version": 2}
