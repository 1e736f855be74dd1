"""The catch-up record: a first-start baseline or a lost-history reconciliation, made resumable.

Before writing any state entry the worker records, durably, the stream position it will resume
from (``begin``). The catch-up is marked complete only when every record has been written; until
then a restarted worker resumes the stream from that position and finishes the rest. After it
completes, the overlap window stays open until the stream has caught up with the present
(every event still to come is then newer than every state the catch-up read).
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from app.clock import utcnow
from models.changelog import EntryKind, WorkerState

CATCH_UP_ID = "catch_up"
CHECKPOINT_ID = "stream"
MARKER_ID = "marker"  # written by the worker, read back through its own stream
FIRST_START = "Bắt đầu ghi nhật ký: trạng thái ban đầu của các bản ghi"


async def load(state: AsyncCollection) -> WorkerState | None:
    raw = await state.find_one({"_id": CATCH_UP_ID})
    return WorkerState.model_validate(raw) if raw else None


async def begin(
    state: AsyncCollection,
    *,
    kind: EntryKind,
    detail: str,
    start_token: dict[str, Any] | None,
    last_seq: int,
    alarm_id: ObjectId | None = None,
) -> WorkerState:
    """Record where the stream resumes and what is being caught up, before any state entry."""
    now = utcnow()
    await save_checkpoint(state, start_token, last_seq)
    fields = {
        "kind": kind.value,
        "detail": detail,
        "resume_token": start_token,
        "last_seq": last_seq,
        "started_at": now,
        "completed_at": None,
        "window_open": True,
        "alarm_id": alarm_id,
        "updated_at": now,
    }
    await state.update_one({"_id": CATCH_UP_ID}, {"$set": fields}, upsert=True)
    return WorkerState.model_validate({"_id": CATCH_UP_ID, **fields})


async def complete(state: AsyncCollection, catch_up: WorkerState) -> None:
    catch_up.completed_at = utcnow()
    await state.update_one({"_id": CATCH_UP_ID}, {"$set": {"completed_at": catch_up.completed_at}})


async def close_window(state: AsyncCollection, catch_up: WorkerState) -> None:
    catch_up.window_open = False
    await state.update_one({"_id": CATCH_UP_ID}, {"$set": {"window_open": False}})


async def save_checkpoint(
    state: AsyncCollection, token: dict[str, Any] | None, last_seq: int
) -> None:
    """The stream's resume point; ``last_seq`` is the chain's length when it was reached."""
    await state.update_one(
        {"_id": CHECKPOINT_ID},
        {"$set": {"resume_token": token, "last_seq": last_seq, "updated_at": utcnow()}},
        upsert=True,
    )


async def load_checkpoint(state: AsyncCollection) -> WorkerState | None:
    raw = await state.find_one({"_id": CHECKPOINT_ID})
    return WorkerState.model_validate(raw) if raw else None
