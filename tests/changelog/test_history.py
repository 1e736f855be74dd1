"""History as each role may see it, and revert with its refusal cases."""

from __future__ import annotations

import asyncio

import pytest

from app.changelog import history
from app.changelog.history import HistoryFilter
from app.context import Actor
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, TermLocked
from app.store import access_for
from app.store.records import create_record, update_record
from models.catalogue import SchoolYear, Subject
from models.common import WriteSource
from models.user import TeachingAssignment, User
from seed.catalogue import school_years, subjects
from seed.roles import seed_roles
from tests.changelog.conftest import WaitFor, WorkerHandle
from tests.factories import SCHOOL_YEAR, make_student, stored_pupil

ACTOR = Actor(id="office", name="Văn phòng", role="vanphong")
GK = f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.gk"
GDTC_GK = f"years.{SCHOOL_YEAR}.subjects.GDTC.hk1.gk"


async def record_history(user, record_id, keep=None):
    """The history as this account sees it (its access, built as a request builds it)."""
    return await history.record_history(await access_for(user), record_id, keep)


async def revert(user, record_id, **kwargs):
    return await history.revert(await access_for(user), record_id, **kwargs)


@pytest.fixture
async def school(mdb, worker: WorkerHandle, wait_for_entries: WaitFor) -> dict:
    await SchoolYear.insert_many(school_years())
    await Subject.insert_many(subjects())
    await seed_roles()
    users = {
        "gvcn": User(
            username="gvcn.7a1", full_name="Y Bhim Mlô", roles=["gvcn"], homeroom_classes=["7A1"]
        ),
        "gvbm": User(
            username="gv.toan",
            full_name="H' Hen Niê",
            roles=["gvbm"],
            teaching=[TeachingAssignment(class_name="7A1", subject="TOAN")],
        ),
        "other": User(
            username="gv.khac", full_name="Trần Văn Khác", roles=["gvcn"], homeroom_classes=["8A1"]
        ),
        "bgh": User(username="bgh", full_name="Hiệu trưởng", roles=["bgh"]),
    }
    for user in users.values():
        await user.insert()
    record = await create_record(make_student(), source=WriteSource.SEED, actor=ACTOR)
    worker.start()
    await wait_for_entries(1, collection="students")
    teacher = Actor(id=str(users["gvbm"].id), name="H' Hen Niê", role="gvbm")
    homeroom = Actor(id=str(users["gvcn"].id), name="Y Bhim Mlô", role="gvcn")
    await update_record(
        record.id, {GK: "6"}, source=WriteSource.GRID, actor=teacher, reason="Nhập điểm"
    )  # v2
    await update_record(record.id, {GDTC_GK: "Đ"}, source=WriteSource.GRID, actor=teacher)  # v3
    await update_record(
        record.id, {"profile.birth_place": "Buôn Đôn"}, source=WriteSource.ADMIN, actor=homeroom
    )  # v4
    await update_record(
        record.id, {GK: "9"}, source=WriteSource.GRID, actor=teacher, reason="Chấm lại"
    )  # v5
    await wait_for_entries(5, collection="students")
    return {"record": record, "users": users}


async def test_subject_teacher_sees_only_their_subject_in_history(school) -> None:
    _, entries = await record_history(school["users"]["gvbm"], school["record"].id)
    paths = {d["path"] for e in entries for d in e["diff"]}
    assert GK in paths
    assert GDTC_GK not in paths  # not their subject
    assert "profile.birth_place" not in paths  # not readable for a subject teacher
    _, bgh_entries = await record_history(school["users"]["bgh"], school["record"].id)
    bgh_paths = {d["path"] for e in bgh_entries for d in e["diff"]}
    assert {GK, GDTC_GK, "profile.birth_place"} <= bgh_paths


async def test_history_is_searchable_by_subject_year_and_author(school) -> None:
    bgh = school["users"]["bgh"]
    _, by_subject = await record_history(bgh, school["record"].id, HistoryFilter(subject="GDTC"))
    assert [d["path"] for e in by_subject for d in e["diff"]] == [GDTC_GK]
    _, by_author = await record_history(bgh, school["record"].id, HistoryFilter(author="bhim mlo"))
    assert {e["actor_name"] for e in by_author} == {"Y Bhim Mlô"}
    _, by_year = await record_history(
        bgh, school["record"].id, HistoryFilter(school_year="2024-2025")
    )
    assert by_year == []


async def test_history_of_a_pupil_outside_scope_is_not_found(school) -> None:
    with pytest.raises(NotFound):
        await record_history(school["users"]["other"], school["record"].id)


async def test_revert_restores_as_a_new_attributed_change(school, wait_for_entries) -> None:
    gvbm = school["users"]["gvbm"]
    record = school["record"]
    reverted = await revert(
        gvbm, record.id, to_version=4, reason="Nhập nhầm điểm", expected_version=5
    )
    assert str(reverted.years[SCHOOL_YEAR].subjects["TOAN"].hk1.gk) == "6"
    assert reverted.version == 6
    assert reverted.meta is not None
    assert reverted.meta.source == "revert"
    assert "Nhập nhầm điểm" in (reverted.meta.reason or "")
    entries = await wait_for_entries(6, collection="students")
    assert entries[-1]["source"] == "revert"


async def test_revert_needs_a_reason(school) -> None:
    with pytest.raises(InvalidInput, match="lý do"):
        await revert(
            school["users"]["gvbm"],
            school["record"].id,
            to_version=4,
            reason=" ",
            expected_version=5,
        )


async def test_revert_of_fields_the_user_may_not_write_is_refused(school) -> None:
    # Back to v1 would also undo the homeroom teacher's birth place and the GDTC mark.
    with pytest.raises(Forbidden, match="không có quyền"):
        await revert(
            school["users"]["gvbm"],
            school["record"].id,
            to_version=1,
            reason="Làm lại",
            expected_version=5,
        )
    current = await stored_pupil({"_id": school["record"].id})
    assert current is not None
    assert current.version == 5


async def test_revert_after_someone_changed_the_record_shows_what_changed(school) -> None:
    teacher = Actor(id="x", name="Người khác", role="gvbm")
    await update_record(school["record"].id, {GK: "7"}, source=WriteSource.GRID, actor=teacher)
    with pytest.raises(Conflict, match="Người khác"):
        await revert(
            school["users"]["gvbm"],
            school["record"].id,
            to_version=4,
            reason="Nhập nhầm",
            expected_version=5,
        )


async def test_revert_touching_a_locked_term_is_refused(school, mdb) -> None:
    await mdb["students"].update_one(
        {"_id": school["record"].id},
        {"$set": {f"years.{SCHOOL_YEAR}.locks.hk1.locked": True}, "$inc": {"version": 0}},
    )
    with pytest.raises(TermLocked, match="đã khóa sổ"):
        await revert(
            school["users"]["gvbm"],
            school["record"].id,
            to_version=4,
            reason="Nhập nhầm",
            expected_version=5,
        )
    await asyncio.sleep(0)
