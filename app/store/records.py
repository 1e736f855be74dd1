"""Pupil-record writes made by the system or a named actor outside a request's scope
(seeding, imports run from the command line, scripts and tests): the same writer, unscoped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.context import SYSTEM_ACTOR, Actor
from models.common import WriteSource
from models.student import StudentRecord

from .writes import UNSET, Writer, system_writer

__all__ = [
    "SYSTEM_ACTOR",
    "UNSET",
    "create_record",
    "create_records",
    "delete_record",
    "update_record",
]


def _writer(source: WriteSource, actor: Actor | None, reason: str | None) -> Writer:
    return system_writer("students", actor, source=source, reason=reason)


async def create_record(
    record: StudentRecord,
    *,
    source: WriteSource,
    actor: Actor | None = None,
    reason: str | None = None,
) -> StudentRecord:
    """Insert a new record as version 1 with its derived results computed."""
    inserted: StudentRecord = await _writer(source, actor, reason).insert(record)
    return inserted


async def create_records(
    records: list[StudentRecord],
    *,
    source: WriteSource,
    actor: Actor | None = None,
    reason: str | None = None,
    derived: bool = False,
) -> int:
    """Insert many new records (``derived``: the caller already recomputed their results)."""
    return await _writer(source, actor, reason).insert_many(records, derived=derived)


async def update_record(
    record_id: Any,
    changes: Mapping[str, Any],
    *,
    source: WriteSource,
    actor: Actor | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> StudentRecord:
    updated: StudentRecord = await _writer(source, actor, reason).update(
        record_id, changes, expected_version=expected_version
    )
    return updated


async def delete_record(
    record_id: Any, *, source: WriteSource, actor: Actor | None = None, reason: str | None = None
) -> None:
    await _writer(source, actor, reason).delete(record_id)
