"""The change-log worker: consumes change streams on the audited collections and appends one
hash-chained entry per event.

Exactly one worker consumes at a time: it holds a lease in the database and renews it; another
process takes over within ``lease_seconds`` when the holder dies. Entries are keyed by the event's
resume token, so a replay after a crash writes nothing twice, and the newest entry's token is
where the stream resumes. When the database no longer has the history to resume from (code 286),
the worker raises an alarm and reconciles instead of silently skipping (see ``reconcile``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bson.raw_bson import RawBSONDocument
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from .audited import AUDITED
from .chain import GENESIS, entry_hash
from .entries import build_entry, decode_event
from .reconcile import reconcile

log = logging.getLogger(__name__)

LEASE_ID = "lease"
CHECKPOINT_ID = "stream"
CHECKPOINT_EVERY = timedelta(seconds=1)
FULL_DOCUMENT = "updateLookup"
HISTORY_LOST = 286
CHANGE_STREAM_FATAL = 280


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


async def enable_pre_images(db: AsyncDatabase) -> None:
    """Switch on pre-images for every audited collection (creating it if needed)."""
    existing = set(await db.list_collection_names())
    for name in AUDITED:
        if name not in existing:
            try:
                await db.create_collection(name)
            except OperationFailure as exc:
                if exc.code != 48:  # created meanwhile by someone else
                    raise
        await db.command("collMod", name, changeStreamPreAndPostImages={"enabled": True})


class ChangeLogWorker:
    def __init__(
        self,
        db: AsyncDatabase,
        *,
        lease_seconds: float = 10.0,
        max_await_ms: int = 500,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.entries = db["change_log"]
        self.state = db["change_log_checkpoints"]
        self.lease_seconds = lease_seconds
        self.max_await_ms = max_await_ms
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop = asyncio.Event()
        self._lease_until: datetime | None = None
        self._tail: tuple[int, str] | None = None  # (seq, hash) of the chain's last entry
        self._checkpoint_at: datetime | None = None
        self._pending_token: dict[str, Any] | None = None
        self.written = 0

    # -- lease ---------------------------------------------------------------------------
    async def acquire_lease(self) -> bool:
        now = utcnow()
        try:
            await self.state.find_one_and_update(
                {
                    "_id": LEASE_ID,
                    "$or": [
                        {"owner": self.owner},
                        {"lease_until": {"$lt": now}},
                        {"lease_until": None},
                    ],
                },
                {
                    "$set": {
                        "owner": self.owner,
                        "lease_until": now + timedelta(seconds=self.lease_seconds),
                    }
                },
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False  # someone else holds a live lease
        self._lease_until = now + timedelta(seconds=self.lease_seconds)
        return True

    async def _renew_if_due(self) -> bool:
        if self._lease_until is None:
            return False
        if self._lease_until - utcnow() > timedelta(seconds=self.lease_seconds * 2 / 3):
            return True
        return await self.acquire_lease()

    async def release_lease(self) -> None:
        await self.state.update_one(
            {"_id": LEASE_ID, "owner": self.owner}, {"$set": {"lease_until": utcnow()}}
        )
        self._lease_until = None

    # -- main loop ---------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Consume until ``stop()``; waits for the lease while another worker holds it."""
        await enable_pre_images(self.db)
        try:
            while not self._stop.is_set():
                if not await self.acquire_lease():
                    await self._sleep(self.lease_seconds / 3)
                    continue
                try:
                    await self._consume()
                except OperationFailure as exc:
                    if exc.code in (HISTORY_LOST, CHANGE_STREAM_FATAL):
                        await self._recover_lost_history(str(exc))
                    else:
                        log.exception("change-log stream failed; retrying")
                        await self._sleep(1)
                except PyMongoError:
                    log.exception("change-log stream failed; retrying")
                    await self._sleep(1)
        finally:
            if self._lease_until is not None:
                try:
                    await self.release_lease()
                except PyMongoError:
                    log.warning("could not release the change-log lease")

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def last_entry(self) -> dict[str, Any] | None:
        return await self.entries.find_one({}, sort=[("seq", -1)])

    def _stream(self, resume_token: dict[str, Any] | None) -> Any:
        # Raw events: the looked-up full document of an update is decoded only when there is
        # no pre-image to work from (decoding two copies of a large record per event costs
        # more than everything else the worker does).
        raw_db = self.db.with_options(
            codec_options=self.db.codec_options.with_options(document_class=RawBSONDocument)
        )
        return raw_db.watch(
            [{"$match": {"ns.coll": {"$in": list(AUDITED)}}}],
            full_document=FULL_DOCUMENT,
            full_document_before_change="whenAvailable",
            resume_after=resume_token,
            max_await_time_ms=self.max_await_ms,
        )

    async def _consume(self) -> None:
        self._tail = None  # another worker may have written while we did not hold the lease
        last = await self.last_entry()
        if last is None:
            await self._start_fresh("Bắt đầu ghi nhật ký: trạng thái ban đầu của các bản ghi")
            last = await self.last_entry()
        resume = (
            {"_data": last["token"]}
            if last and not last["token"].startswith("gap:")
            else await self._checkpoint_token()
        )
        async with await self._stream(resume) as stream:
            while not self._stop.is_set():
                if not await self._renew_if_due():
                    log.warning("change-log lease lost; another worker takes over")
                    return
                raw = await stream.try_next()
                event = decode_event(raw, self.db.codec_options) if raw is not None else None
                if event is None:
                    if self._pending_token is not None:  # idle: bring the checkpoint up to date
                        await self._checkpoint(self._pending_token, force=True)
                    continue
                await self.write(event)

    async def _checkpoint_token(self) -> dict[str, Any] | None:
        state = await self.state.find_one({"_id": CHECKPOINT_ID})
        return (state or {}).get("resume_token")

    async def _start_fresh(self, why: str, *, alarm: bool = False) -> None:
        """Open a stream first (so nothing written meanwhile is missed), then record the state
        of every record the log does not know yet, then continue from that stream's start."""
        async with await self._stream(None) as stream:
            token = stream.resume_token
        written = await reconcile(self, why=why, alarm=alarm)
        await self.state.update_one(
            {"_id": CHECKPOINT_ID},
            {"$set": {"resume_token": token, "updated_at": utcnow()}},
            upsert=True,
        )
        log.info("change log reconciled %d record(s): %s", written, why)

    async def _recover_lost_history(self, detail: str) -> None:
        log.error("change-stream history lost (%s): reconciling", detail)
        await self._start_fresh(f"Mất lịch sử thay đổi: {detail}", alarm=True)

    # -- writing -----------------------------------------------------------------------------
    async def _chain_tail(self, *, refresh: bool = False) -> tuple[int, str]:
        if self._tail is None or refresh:
            last = await self.last_entry()
            self._tail = (last["seq"], last["hash"]) if last else (0, GENESIS)
        return self._tail

    async def append(self, entry: dict[str, Any]) -> bool:
        """Insert one entry at the end of the chain. False if its token is already logged."""
        refresh = False
        for _ in range(5):
            seq, prev_hash = await self._chain_tail(refresh=refresh)
            entry["seq"] = seq + 1
            entry["prev_hash"] = prev_hash
            entry["hash"] = entry_hash(entry)
            try:
                await self.entries.insert_one(entry)
            except DuplicateKeyError as exc:
                entry.pop("_id", None)
                if "token" in ((exc.details or {}).get("keyPattern") or {}):
                    return False  # replayed event: logged before the crash
                refresh = True  # seq taken (a lease overlap): re-read the chain's end
                continue
            self._tail = (entry["seq"], entry["hash"])
            self.written += 1
            return True
        raise RuntimeError("could not append to the change log")

    async def write(self, event: dict[str, Any]) -> bool:
        record_id = (event.get("documentKey") or {}).get("_id")
        last_logged = None
        if event["operationType"] == "delete" and record_id is not None:
            last_logged = await self.entries.find_one(
                {"collection": event["ns"].get("coll"), "record_key": str(record_id)},
                sort=[("seq", -1)],
            )
        entry = build_entry(event, seq=0, prev_hash="", last_logged=last_logged)
        # The entry carries the event's resume token and is written in one atomic insert: it
        # is the durable resume point. The separate checkpoint document (also used after a
        # reconciliation) follows at most a second behind, saving a round trip per event.
        written = await self.append(entry)
        await self._checkpoint(event["_id"])
        return written

    async def _checkpoint(self, token: dict[str, Any], *, force: bool = False) -> None:
        now = utcnow()
        if not force and self._checkpoint_at and now - self._checkpoint_at < CHECKPOINT_EVERY:
            self._pending_token = token
            return
        await self.state.update_one(
            {"_id": CHECKPOINT_ID},
            {"$set": {"resume_token": token, "updated_at": now}},
            upsert=True,
        )
        self._checkpoint_at, self._pending_token = now, None
