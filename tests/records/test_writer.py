"""The single write path: validation, version and meta stamping, locks, concurrency."""

from __future__ import annotations

import asyncio
import unicodedata
from decimal import Decimal

import pytest

from app.context import Actor, current_actor
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, TermLocked
from app.store.records import UNSET, create_record, update_record
from models.common import WriteSource
from models.student import StudentRecord
from tests.factories import SCHOOL_YEAR, make_student, stored_pupil

TEACHER = Actor(id="u1", name="Trần Thị Bình", role="gvbm")
GK = f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.gk"


async def _created(**kwargs: object) -> StudentRecord:
    return await create_record(make_student(**kwargs), source=WriteSource.SEED, actor=TEACHER)


async def test_create_stamps_version_and_meta(mdb) -> None:
    record = await _created()
    raw = await mdb["students"].find_one({"_id": record.id})
    assert raw["version"] == 1
    assert raw["meta"]["actor_id"] == "u1"
    assert raw["meta"]["source"] == "seed"
    assert raw["meta"]["request_id"]


async def test_update_sets_only_the_changed_path_and_bumps_version(mdb) -> None:
    record = await _created()
    updated = await update_record(
        record.id, {GK: "8,5"}, source=WriteSource.GRID, actor=TEACHER, reason="nhập điểm"
    )
    assert updated.version == 2
    assert updated.years[SCHOOL_YEAR].subjects["TOAN"].hk1.gk == Decimal("8.5")
    raw = await mdb["students"].find_one({"_id": record.id})
    assert raw["meta"]["reason"] == "nhập điểm"
    assert raw["meta"]["source"] == "grid"
    assert str(raw["years"][SCHOOL_YEAR]["subjects"]["TOAN"]["hk1"]["gk"]) == "8.5"


async def test_unchanged_value_writes_nothing(mdb) -> None:
    record = await _created()
    await update_record(
        record.id, {"profile.birth_place": "Buôn Ma Thuột"}, source=WriteSource.ADMIN, actor=TEACHER
    )
    again = await update_record(
        record.id, {"profile.birth_place": "Buôn Ma Thuột"}, source=WriteSource.ADMIN, actor=TEACHER
    )
    assert again.version == 2


async def test_invalid_value_is_refused_in_vietnamese_and_nothing_changes(mdb) -> None:
    record = await _created()
    with pytest.raises(InvalidInput, match="Giới tính"):
        await update_record(
            record.id, {"profile.sex": "x"}, source=WriteSource.ADMIN, actor=TEACHER
        )
    with pytest.raises(InvalidInput, match="không tồn tại"):
        await update_record(record.id, {"profile.nope": 1}, source=WriteSource.ADMIN, actor=TEACHER)
    with pytest.raises(InvalidInput, match="hệ thống"):
        await update_record(record.id, {"version": 9}, source=WriteSource.ADMIN, actor=TEACHER)
    raw = await mdb["students"].find_one({"_id": record.id})
    assert raw["version"] == 1


async def test_name_is_normalised_and_search_key_follows(mdb) -> None:
    record = await _created()
    decomposed = unicodedata.normalize("NFD", "Ksor Thị H'Lan")
    updated = await update_record(
        record.id, {"profile.full_name": decomposed}, source=WriteSource.ADMIN, actor=TEACHER
    )
    assert updated.profile.full_name == unicodedata.normalize("NFC", "Ksor Thị H'Lan")
    assert updated.search_name == "ksor thi h'lan"


async def test_locked_term_refuses_the_write(mdb) -> None:
    record = await _created()
    await mdb["students"].update_one(
        {"_id": record.id}, {"$set": {f"years.{SCHOOL_YEAR}.locks.hk1.locked": True}}
    )
    with pytest.raises(TermLocked, match="Học kỳ I năm học 2025-2026 đã khóa sổ"):
        await update_record(record.id, {GK: "7"}, source=WriteSource.GRID, actor=TEACHER)
    # The other term stays open.
    hk2 = GK.replace("hk1", "hk2")
    updated = await update_record(record.id, {hk2: "7"}, source=WriteSource.GRID, actor=TEACHER)
    assert updated.years[SCHOOL_YEAR].subjects["TOAN"].hk2.gk == Decimal("7")


async def test_year_lock_covers_every_term(mdb) -> None:
    record = await _created()
    await mdb["students"].update_one(
        {"_id": record.id}, {"$set": {f"years.{SCHOOL_YEAR}.locks.year.locked": True}}
    )
    with pytest.raises(TermLocked, match="Cả năm"):
        await update_record(
            record.id, {GK.replace("hk1", "hk2"): "7"}, source=WriteSource.GRID, actor=TEACHER
        )


async def test_a_subject_book_lock_closes_that_subject_and_term_only(mdb) -> None:
    record = await _created()
    await mdb["students"].update_one(
        {"_id": record.id},
        {"$set": {f"years.{SCHOOL_YEAR}.subjects.TOAN.locks.hk1.locked": True}},
    )
    with pytest.raises(TermLocked, match="Sổ điểm môn Toán học kỳ I năm học 2025-2026"):
        await update_record(record.id, {GK: "7"}, source=WriteSource.GRID, actor=TEACHER)
    # The same subject's other term, another subject's same term and the homeroom book stay open.
    open_paths = {
        GK.replace("hk1", "hk2"): "7",
        GK.replace("TOAN", "GDTC"): "Đ",
        f"years.{SCHOOL_YEAR}.conduct.hk1": "T",
    }
    updated = await update_record(record.id, open_paths, source=WriteSource.GRID, actor=TEACHER)
    assert updated.years[SCHOOL_YEAR].subjects["TOAN"].hk2.gk == Decimal("7")
    assert updated.years[SCHOOL_YEAR].conduct.hk1 == "T"


async def test_a_homeroom_book_lock_closes_conduct_absences_and_comments_of_its_term(mdb) -> None:
    record = await _created()
    year = f"years.{SCHOOL_YEAR}"
    await mdb["students"].update_one(
        {"_id": record.id}, {"$set": {f"{year}.homeroom_locks.hk1.locked": True}}
    )
    for path, value in (
        (f"{year}.conduct.hk1", "K"),
        (f"{year}.absences.hk1.excused", 2),
    ):
        with pytest.raises(TermLocked, match="Sổ chủ nhiệm học kỳ I"):
            await update_record(record.id, {path: value}, source=WriteSource.GRID, actor=TEACHER)
    # Its year lock closes the year-wide entries too.
    comment = f"{year}.homeroom_comment"
    await update_record(record.id, {comment: "Tốt"}, source=WriteSource.GRID, actor=TEACHER)
    await mdb["students"].update_one(
        {"_id": record.id}, {"$set": {f"{year}.homeroom_locks.year.locked": True}}
    )
    with pytest.raises(TermLocked, match="Sổ chủ nhiệm cả năm"):
        await update_record(
            record.id, {f"{year}.homeroom_comment": "Khác"}, source=WriteSource.GRID, actor=TEACHER
        )


async def test_a_record_stored_before_book_locks_existed_is_still_writable(mdb) -> None:
    record = await _created()
    await mdb["students"].update_one(
        {"_id": record.id},
        {
            "$unset": {
                f"years.{SCHOOL_YEAR}.subjects.TOAN.locks": "",
                f"years.{SCHOOL_YEAR}.homeroom_locks": "",
            }
        },
    )
    updated = await update_record(record.id, {GK: "9"}, source=WriteSource.GRID, actor=TEACHER)
    assert updated.years[SCHOOL_YEAR].subjects["TOAN"].hk1.gk == Decimal("9")
    assert not updated.years[SCHOOL_YEAR].subjects["TOAN"].locks.hk1.locked


async def test_book_lock_paths_are_not_writable_through_edits(mdb) -> None:
    record = await _created()
    for path in (
        f"years.{SCHOOL_YEAR}.subjects.TOAN.locks.hk1.locked",
        f"years.{SCHOOL_YEAR}.homeroom_locks.hk2.locked",
    ):
        with pytest.raises(Forbidden):
            await update_record(record.id, {path: True}, source=WriteSource.ADMIN, actor=TEACHER)


async def test_lock_paths_are_not_writable_through_edits(mdb) -> None:
    record = await _created()
    with pytest.raises(Forbidden):
        await update_record(
            record.id,
            {f"years.{SCHOOL_YEAR}.locks.hk1.locked": False},
            source=WriteSource.ADMIN,
            actor=TEACHER,
        )


async def test_unattributed_write_is_refused(mdb) -> None:
    record = await _created()
    with pytest.raises(Forbidden):
        await update_record(record.id, {GK: "7"}, source=WriteSource.GRID)
    token = current_actor.set(TEACHER)
    try:
        updated = await update_record(record.id, {GK: "7"}, source=WriteSource.GRID)
    finally:
        current_actor.reset(token)
    assert updated.meta is not None
    assert updated.meta.actor_id == "u1"


async def test_missing_record_is_not_found(mdb) -> None:
    from beanie import PydanticObjectId

    with pytest.raises(NotFound):
        await update_record(PydanticObjectId(), {GK: "7"}, source=WriteSource.GRID, actor=TEACHER)


async def test_expected_version_detects_a_concurrent_edit(mdb) -> None:
    record = await _created()
    await update_record(record.id, {GK: "7"}, source=WriteSource.GRID, actor=TEACHER)
    with pytest.raises(Conflict, match="người khác"):
        await update_record(
            record.id, {GK: "8"}, source=WriteSource.GRID, actor=TEACHER, expected_version=1
        )


async def test_concurrent_writers_on_different_paths_lose_nothing(mdb) -> None:
    record = await _created()
    paths = [f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.tx.{i}" for i in range(4)]
    paths += [GK, GK.replace(".gk", ".ck"), GK.replace("hk1", "hk2")]

    async def write(path: str, value: str) -> None:
        await update_record(record.id, {path: value}, source=WriteSource.GRID, actor=TEACHER)

    # tx.N appends in order, so write those sequentially; the rest race each other.
    for path in paths[:4]:
        await write(path, "6")
    await asyncio.gather(*(write(p, "9") for p in paths[4:]))
    final = await stored_pupil({"_id": record.id})
    assert final is not None
    toan = final.years[SCHOOL_YEAR].subjects["TOAN"]
    assert toan.hk1.tx == [Decimal(6)] * 4
    assert (toan.hk1.gk, toan.hk1.ck, toan.hk2.gk) == (Decimal(9), Decimal(9), Decimal(9))
    assert final.version == 1 + len(paths)


async def test_unset_removes_only_the_named_path(mdb) -> None:
    record = await _created()
    await mdb["students"].update_one({"_id": record.id}, {"$set": {"x_other_tool": 1}})
    await update_record(
        record.id, {"profile.birth_place": "Krông Pắc"}, source=WriteSource.ADMIN, actor=TEACHER
    )
    updated = await update_record(
        record.id, {"profile.birth_place": UNSET}, source=WriteSource.ADMIN, actor=TEACHER
    )
    assert updated.profile.birth_place is None
    raw = await mdb["students"].find_one({"_id": record.id})
    assert raw["x_other_tool"] == 1  # unknown fields are never silently dropped


async def test_duplicate_code_is_a_conflict(mdb) -> None:
    first = await _created()
    with pytest.raises(Conflict, match="Mã học sinh"):
        await create_record(make_student(code=first.code), source=WriteSource.SEED, actor=TEACHER)


def test_setting_a_path_leaves_the_stored_document_alone() -> None:
    """The write path diffs the stored document against the changed one: setting a path must
    copy what it changes, never modify the stored containers it shares."""
    from app.store.writes import UNSET, _set_path

    stored = {"a": {"b": {"c": 1}, "k": 0}, "l": [{"x": 1}, {"x": 2}], "n": {"m": 3}}
    data = dict(stored)
    _set_path(data, "a.b.c", 2)
    _set_path(data, "l.0.x", 5)
    _set_path(data, "n.m", UNSET)
    _set_path(data, "new.deep.path", "v")
    assert stored == {"a": {"b": {"c": 1}, "k": 0}, "l": [{"x": 1}, {"x": 2}], "n": {"m": 3}}
    assert data == {
        "a": {"b": {"c": 2}, "k": 0},
        "l": [{"x": 5}, {"x": 2}],
        "n": {},
        "new": {"deep": {"path": "v"}},
    }
    assert data["l"][1] is stored["l"][1]  # untouched parts are shared, not copied
