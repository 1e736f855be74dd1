"""The demo seed writes through the same stamped path as everyone: the log attributes every
row it creates to the seed, none to an unknown tool."""

from __future__ import annotations

from app.store import system_writer
from models.common import WriteSource
from models.resources import AUDITED_RESOURCES
from models.role import Role
from seed.demo import SEED_ACTOR, seed_demo
from tests.changelog.conftest import WaitFor, WorkerHandle

AUDITED = AUDITED_RESOURCES  # every collection the log follows, the chain's books included


async def test_seeding_while_the_log_runs_is_attributed_to_the_seed(
    mdb, beanie_db, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    worker.start()
    # One stamped write first: once it is logged, the worker is following the stream.
    opening = Role(code="mo_dau", name="Vai trò mở đầu")
    await system_writer("roles", SEED_ACTOR, source=WriteSource.SEED).insert(opening)
    assert await wait_for_entries(1, collection="roles", timeout=10)
    await seed_demo(students=8)
    created = sum([await mdb[name].count_documents({}) for name in AUDITED]) - 1
    entries = await wait_for_entries(created, kind="change", op="insert")
    assert len(entries) == created
    outside = [(e["collection"], e.get("out_of_band_reason")) for e in entries if e["out_of_band"]]
    assert outside == []
    assert {e["source"] for e in entries} == {"seed"}
    assert {e["actor_name"] for e in entries} == {"Dữ liệu mẫu"}
    assert all(e["request_id"] for e in entries)
