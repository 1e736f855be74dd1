"""The change-log worker: consumes change streams on the audited collections and appends one
hash-chained entry per event.

Exactly one worker consumes at a time: it holds a lease in the database and renews it (see
``lease``). Entries are keyed by the event's resume token, so a replay after a crash writes
nothing twice; the stream resumes from the newer of the last entry and the saved checkpoint.
Writing the state of every record (the first-start baseline, or the reconciliation after the
database lost change history, code 286) is a catch-up that survives a crash at any moment (see
``catchup``). After every (re)start, once the stream has caught up, the worker checks that no
change is missing (``completeness``) and writes gap entries and an alarm for what is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from typing import Any

from bson import ObjectId
from bson.raw_bson import RawBSONDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure, PyMongoError

from app.clock import utcnow
from models.changelog import AlarmKind, EntryKind, WorkerState

from . import catchup
from .appender import ChainAppender
from .audited import AUDITED
from .entries import build_entry, decode_event
from .gapcheck import check_after_restart
from .lease import Lease
from .overlap import Overlap
from .reconcile import baseline, raise_alarm, reconcile, state_entry

__all__ = ["ChangeLogWorker", "enable_pre_images", "utcnow"]

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 1.0  # seconds between two checkpoint writes while events flow
FULL_DOCUMENT = "updateLookup"
HISTORY_LOST = 286
CHANGE_STREAM_FATAL = 280
LOST_HISTORY = (
    "Mất lịch sử thay đổi: máy chủ cơ sở dữ liệu không còn giữ những thay đổi chưa được ghi "
    "nhật ký; trạng thái hiện tại của các hồ sơ được ghi bù vào nhật ký"
)


class LeaseLost(Exception):
    """Another worker holds the lease now: stop consuming at once."""


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
        self.max_await_ms = max_await_ms
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = Lease(self.state, self.owner, lease_seconds)
        self.overlap = Overlap()
        self.write_lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self.chain = ChainAppender(self.entries)
        self._catch_up: WorkerState | None = None
        self._checkpoint_at = 0.0
        self._pending_token: dict[str, Any] | None = None
        self._marker: str | None = None  # the last marker written, until the stream has it
        self._passes = 0  # markers seen
        self._checker: asyncio.Task[None] | None = None
        self.gaps_found = 0

    @property
    def lease_seconds(self) -> float:
        return self.lease.seconds

    # -- lease ---------------------------------------------------------------------------
    async def acquire_lease(self) -> bool:
        return await self.lease.acquire()

    async def release_lease(self) -> None:
        await self.lease.release()

    async def keep_lease(self) -> None:
        if not await self.lease.renew_if_due():
            raise LeaseLost

    # -- main loop ---------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Consume until ``stop()``; waits for the lease while another worker holds it."""
        await enable_pre_images(self.db)
        try:
            while not self._stop.is_set():
                if not await self.acquire_lease():
                    await self._sleep(await self.lease.wait_hint())
                    continue
                try:
                    await self._consume()
                except LeaseLost:
                    log.warning("change-log lease lost; another worker takes over")
                except OperationFailure as exc:
                    if exc.code in (HISTORY_LOST, CHANGE_STREAM_FATAL):
                        await self._recover_lost_history(exc)
                    else:
                        log.exception("change-log stream failed; retrying")
                        await self._sleep(1)
                except PyMongoError:
                    log.exception("change-log stream failed; retrying")
                    await self._sleep(1)
                finally:
                    await self._stop_checker()
        finally:
            if self.lease.held:
                try:
                    await self.release_lease()
                except PyMongoError:
                    log.warning("could not release the change-log lease")

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def last_entry(self) -> dict[str, Any] | None:
        return await self.chain.last_entry()

    def _stream(self, resume_token: dict[str, Any] | None) -> Any:
        # Raw events: the looked-up full document of an update is decoded only when there is
        # no pre-image to work from (decoding two copies of a large record per event costs
        # more than everything else the worker does).
        raw_db = self.db.with_options(
            codec_options=self.db.codec_options.with_options(document_class=RawBSONDocument)
        )
        # The audited collections, and the marker that tells when the stream has caught up.
        marker = {"ns.coll": self.state.name, "documentKey._id": catchup.MARKER_ID}
        return raw_db.watch(
            [{"$match": {"$or": [{"ns.coll": {"$in": list(AUDITED)}}, marker]}}],
            full_document=FULL_DOCUMENT,
            full_document_before_change="whenAvailable",
            resume_after=resume_token,
            max_await_time_ms=self.max_await_ms,
        )

    async def _consume(self) -> None:
        self.chain.forget()  # another worker may have written while we did not hold the lease
        self.overlap.forget()
        catch_up = self._catch_up = await catchup.load(self.state)
        if catch_up is None and await self.last_entry() is None:
            catch_up = self._catch_up = await self._begin(EntryKind.BASELINE, catchup.FIRST_START)
        # A log without a catch-up record predates it: its baseline was done the old way, and
        # the completeness check below finds whatever it may have missed.
        if catch_up is not None and (catch_up.completed_at is None or catch_up.window_open):
            await self.overlap.load(self.entries)
        checked = False
        async with await self._stream(await self._resume_point()) as stream:
            await self._request_pass()
            while not self._stop.is_set():
                await self.keep_lease()
                raw = await stream.try_next()
                if raw is None:
                    if self._pending_token is not None:  # idle: bring the checkpoint up to date
                        await self._checkpoint(self._pending_token, force=True)
                    continue
                event = decode_event(raw, self.db.codec_options)
                if event["ns"].get("coll") in AUDITED:
                    await self.write(event)
                    continue
                if not await self._own_marker(event):
                    continue
                # Caught up: every change made before the marker was written has been seen.
                if catch_up is not None and catch_up.completed_at is None:
                    await self._complete(catch_up)
                    await self._request_pass()
                elif catch_up is not None and catch_up.window_open:
                    await catchup.close_window(self.state, catch_up)
                    self.overlap.forget()
                if not checked and not (catch_up is not None and catch_up.window_open):
                    checked = True
                    self._checker = asyncio.create_task(self._check_completeness())

    async def _request_pass(self) -> None:
        """Write a marker the stream will deliver after every change made before it."""
        self._marker = uuid.uuid4().hex
        await self.state.update_one(
            {"_id": catchup.MARKER_ID},
            {"$set": {"marker": self._marker, "owner": self.owner, "updated_at": utcnow()}},
            upsert=True,
        )

    async def _own_marker(self, event: dict[str, Any]) -> bool:
        """True (once) for the event of the marker this worker wrote last."""
        await self._checkpoint(event["_id"], force=True)
        fields = (event.get("updateDescription") or {}).get("updatedFields") or {}
        value = fields.get("marker") or (event.get("fullDocument") or {}).get("marker")
        if value is None or value != self._marker:
            return False
        self._marker = None
        self._passes += 1
        return True

    async def _resume_point(self) -> dict[str, Any] | None:
        """The newer of the checkpoint and the last change entry."""
        checkpoint = await catchup.load_checkpoint(self.state)
        token = checkpoint.resume_token if checkpoint else None
        last = await self.last_entry()
        if last is None or str(last["token"]).startswith("gap:"):
            return token
        if checkpoint is not None and token is not None and checkpoint.last_seq >= last["seq"]:
            return token
        return {"_data": last["token"]}

    async def _begin(self, kind: EntryKind, why: str, *, alarm_id: Any = None) -> WorkerState:
        """Open a stream first, so nothing written from now on is missed, and record durably
        where it starts before writing any state entry."""
        async with await self._stream(None) as stream:
            token = stream.resume_token
        seq, _ = await self.chain.tail(refresh=True)
        return await catchup.begin(
            self.state,
            kind=kind,
            detail=why,
            start_token=token,
            last_seq=seq,
            alarm_id=alarm_id,
        )

    async def _complete(self, catch_up: WorkerState) -> None:
        """Write the state of every record the log is missing, then mark the catch-up done."""
        why = catch_up.detail or catchup.FIRST_START
        if catch_up.kind == EntryKind.BASELINE:
            written = await baseline(self, self.overlap, why=why)
        else:
            written = await reconcile(self, self.overlap, why=why)
        if catch_up.alarm_id is not None:
            gap_entries = await self.entries.count_documents(
                {"seq": {"$gt": catch_up.last_seq}, "kind": EntryKind.GAP.value}
            )
            await raise_alarm(
                self,
                AlarmKind.HISTORY_LOST,
                why,
                gap_entries=gap_entries,
                alarm_id=catch_up.alarm_id,
            )
        await catchup.complete(self.state, catch_up)
        log.info("change log caught up: %d record(s) written (%s)", written, why)

    async def _recover_lost_history(self, exc: OperationFailure) -> None:
        log.error("change-stream history lost (%s): reconciling", exc)
        # The reader gets Vietnamese and the server's error name, not pymongo's repr of it.
        code = (exc.details or {}).get("codeName") or exc.code
        why = f"{LOST_HISTORY} (mã lỗi của máy chủ: {code})"
        # The alarm's id is recorded with the catch-up first: raised now, and updated with the
        # number of gap entries when done, it is one alarm however often the worker restarts.
        alarm_id = ObjectId()
        self._catch_up = await self._begin(EntryKind.GAP, why, alarm_id=alarm_id)
        await raise_alarm(self, AlarmKind.HISTORY_LOST, why, alarm_id=alarm_id)

    # -- completeness --------------------------------------------------------------------------
    async def caught_up(self) -> bool:
        """Wait until the stream has delivered everything written before this call (False if
        the worker stops first)."""
        passes = self._passes
        await self._request_pass()
        while self._passes <= passes:
            if self._stop.is_set():
                return False
            await asyncio.sleep(0.05)
        return True

    async def _check_completeness(self) -> None:
        try:
            self.gaps_found += await check_after_restart(self)
        except LeaseLost:
            log.warning("change-log lease lost during the completeness check")
        except PyMongoError:
            log.exception("change-log completeness check failed")

    async def _stop_checker(self) -> None:
        if self._checker is not None and not self._checker.done():
            self._checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checker
        self._checker = None

    # -- writing -----------------------------------------------------------------------------
    @property
    def written(self) -> int:
        return self.chain.written

    async def append(self, entry: dict[str, Any]) -> bool:
        return await self.chain.append(entry)

    async def write(self, event: dict[str, Any]) -> bool:
        record_id = (event.get("documentKey") or {}).get("_id")
        last_logged = None
        if event["operationType"] == "delete" and record_id is not None:
            last_logged = await self.entries.find_one(
                {"collection": event["ns"].get("coll"), "record_key": str(record_id)},
                sort=[("seq", -1)],
            )
        entry = build_entry(event, seq=0, prev_hash="", last_logged=last_logged)
        async with self.write_lock:
            if self.overlap.contains(entry):
                written = False  # a baseline or gap entry read the record after this change
            else:
                await self._state_from_pre_image(event, entry)
                # The entry carries the event's resume token and is written in one atomic
                # insert: it is the durable resume point. The checkpoint document follows at
                # most a second behind, saving a round trip per event.
                written = await self.append(entry)
                if self.overlap.complete or self.overlap.get(
                    entry["collection"], entry["record_key"]
                ):
                    self.overlap.note(entry)
        await self._checkpoint(event["_id"])
        return written

    async def _state_from_pre_image(self, event: dict[str, Any], entry: dict[str, Any]) -> None:
        """During a catch-up, a change to a record the log has never seen, or whose versions
        since its last entry are gone, is preceded by the record's state just before it (its
        pre-image): the change keeps its own entry, and a hole is named, not hidden."""
        pre = event.get("fullDocumentBeforeChange")
        needed, missing = self.overlap.before(entry, pre)
        if not needed:
            return
        catch_up = self._catch_up
        why = (catch_up.detail if catch_up else None) or catchup.FIRST_START
        kind = catch_up.kind if catch_up and catch_up.kind else EntryKind.BASELINE
        if missing:
            kind, why = EntryKind.GAP, f"{why} — thiếu phiên bản {missing}"
        state = state_entry(
            entry["collection"], entry["record_id"], pre, kind=kind, why=why, at=entry["at"]
        )
        await self.append(state)
        self.overlap.note(state)

    async def _checkpoint(self, token: dict[str, Any], *, force: bool = False) -> None:
        now = asyncio.get_running_loop().time()
        if not force and now - self._checkpoint_at < CHECKPOINT_EVERY:
            self._pending_token = token
            return
        seq, _ = await self.chain.tail()
        await catchup.save_checkpoint(self.state, token, seq)
        self._checkpoint_at, self._pending_token = now, None
