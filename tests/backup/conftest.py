"""Fixtures for backups: a key, a small school with a logged history, a backup directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from app.backup.keys import new_key, parse_key
from app.config import Settings
from app.context import Actor
from app.store.records import create_record, update_record
from models.common import WriteSource
from tests.changelog.conftest import WaitFor, WorkerHandle, wait_for_entries, worker  # noqa: F401
from tests.factories import SCHOOL_YEAR, full_year, make_student

ACTOR = Actor(id="u1", name="Giáo viên Toán", role="gvbm")


@pytest.fixture
def key_text() -> str:
    return new_key()


@pytest.fixture
def key(key_text: str) -> bytes:
    return parse_key(key_text)


@pytest.fixture
def settings(tmp_path: Path, key_text: str, db_name: str) -> Settings:
    return Settings(
        env="test",
        secret_key="s" * 40,
        mongodb_uri="mongodb://127.0.0.1:1/?replicaSet=rs0",
        mongodb_db=db_name,
        backup_key=key_text,
        backup_dir=tmp_path / "backups",
    )


async def make_history(handle: WorkerHandle, wait: WaitFor) -> list[dict[str, Any]]:
    """Three pupils with scores, Vietnamese text and full years, and their logged history."""
    names = ("Nguyễn Thị Hoa", "H' Hen Niê", "Y Bhim Mlô")
    records = [
        await create_record(
            make_student(full_name=n, years={SCHOOL_YEAR: full_year(score="8,5")}),
            source=WriteSource.SEED,
            actor=ACTOR,
        )
        for n in names
    ]
    handle.start()
    await wait(3)
    for score in ("6", "7,5"):
        await update_record(
            records[0].id,
            {f"years.{SCHOOL_YEAR}.subjects.TOAN.hk1.gk": score},
            source=WriteSource.GRID,
            actor=ACTOR,
        )
    entries = await wait(5)
    await handle.stop()
    return entries


@pytest.fixture
async def history(
    mdb: AsyncDatabase,
    worker: WorkerHandle,  # noqa: F811
    wait_for_entries: WaitFor,  # noqa: F811
) -> list[dict[str, Any]]:
    return await make_history(worker, wait_for_entries)
