"""The change history behind change streams: events, resume tokens and update descriptions.

Every write the server applies appends one event to a bounded, in-order history (a stand-in for
the oplog). A resume token encodes the server's history epoch and the event's sequence number, so
a token from a history that no longer exists (trimmed, or an in-memory server restarted) is
recognised and answered with ``ChangeStreamHistoryLost`` instead of silently skipping events.
"""

from __future__ import annotations

import asyncio
import copy
import os
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bson.timestamp import Timestamp

from .errors import CommandError
from .fastpaths import IMMUTABLE

INVALIDATE_FLAG = 1


@dataclass
class Event:
    seq: int
    time: Timestamp
    wall: datetime
    # insert | update | replace | delete | drop | dropDatabase | rename, and the expanded
    # (DDL) events: create | createIndexes | dropIndexes | modify
    op: str
    db: str
    coll: str | None
    key: Any = None  # the document's _id
    doc: dict[str, Any] | None = None  # insert/replace: the new document
    update: dict[str, Any] | None = None  # update: updateDescription
    pre: dict[str, Any] | None = None  # pre-image, when enabled on the collection
    post: dict[str, Any] | None = None  # post-image, when enabled on the collection
    uuid: Any = None  # the collection's UUID (collectionUUID of expanded events)
    to: dict[str, Any] | None = None  # rename: the new namespace
    description: dict[str, Any] | None = None  # operationDescription of expanded events
    # update without images: the versions before and after it, until it is described
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None

    def update_description(self) -> dict[str, Any]:
        """An update's ``updateDescription``, worked out from the two versions of the document
        when first read, or earlier when the server has time (``History.describe_pending``):
        the versions are never changed in place, so the answer is the same whenever it is
        worked out, and the write itself does not wait for it. Versions kept only for that
        are let go once it is done; images stay."""
        if self.update is None:
            if self.old is not None and self.new is not None:
                self.update = describe_update(self.old, self.new)
            elif self.pre is not None and self.post is not None:
                self.update = describe_update(self.pre, self.post)
        self.old = self.new = None
        return self.update or {}

    def to_state(self) -> dict[str, Any]:
        if self.op == "update":
            self.update_description()
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Event:
        return cls(**state)


def make_token(epoch: int, seq: int, flag: int = 0) -> dict[str, str]:
    return {"_data": f"82{epoch:016X}{seq:016X}{flag:02X}"}


def parse_token(token: Any) -> tuple[int, int, int]:
    data = token.get("_data") if isinstance(token, dict) else None
    if not isinstance(data, str) or len(data) != 36 or not data.startswith("82"):
        raise CommandError(260, f"Invalid resume token: {token!r}")
    try:
        return int(data[2:18], 16), int(data[18:34], 16), int(data[34:36], 16)
    except ValueError as exc:
        raise CommandError(260, f"Invalid resume token: {token!r}") from exc


def history_lost() -> CommandError:
    return CommandError(
        286,
        "Resume of change stream was not possible, as the resume point may no longer be in the "
        "oplog",
    )


@dataclass
class History:
    """Bounded, ordered list of change events with a condition to wake waiting readers."""

    max_events: int = 100_000
    # Updates whose description is not worked out yet, oldest first; at most this many (each
    # holds the parts of two document versions that differ).
    max_undescribed: int = 1_000
    epoch: int = field(default_factory=lambda: int.from_bytes(os.urandom(7), "big"))
    events: deque[Event] = field(default_factory=deque)
    last_seq: int = 0
    trimmed_seq: int = 0  # highest sequence number no longer retained
    trimmed_time: Timestamp | None = None
    _last_time: Timestamp = field(default_factory=lambda: Timestamp(int(time.time()), 0))
    _waiters: set[asyncio.Event] = field(default_factory=set)
    _undescribed: deque[Event] = field(default_factory=deque)

    def next_time(self) -> Timestamp:
        now = int(time.time())
        last = self._last_time
        self._last_time = (
            Timestamp(now, 1) if now > last.time else Timestamp(last.time, last.inc + 1)
        )
        return self._last_time

    @property
    def operation_time(self) -> Timestamp:
        return self._last_time

    def append(self, op: str, db: str, coll: str | None, **data: Any) -> Event:
        self.last_seq += 1
        event = Event(
            seq=self.last_seq,
            time=self.next_time(),
            wall=datetime.now(UTC).replace(tzinfo=None),
            op=op,
            db=db,
            coll=coll,
            **data,
        )
        self.events.append(event)
        while len(self.events) > self.max_events:
            dropped = self.events.popleft()
            self.trimmed_seq, self.trimmed_time = dropped.seq, dropped.time
        if event.old is not None:
            self._undescribed.append(event)
            if len(self._undescribed) > self.max_undescribed:
                self._describe(self._undescribed.popleft())
        for waiter in self._waiters:
            waiter.set()
        return event

    @property
    def undescribed(self) -> int:
        """How many updates still wait for their description."""
        return len(self._undescribed)

    def describe_pending(self, seconds: float) -> bool:
        """Work out the oldest waiting descriptions for about ``seconds`` (at least one);
        whether some still wait."""
        pending = self._undescribed
        deadline = time.perf_counter() + seconds
        while pending:
            self._describe(pending.popleft())
            if time.perf_counter() >= deadline:
                break
        return bool(pending)

    def _describe(self, event: Event) -> None:
        if event.seq <= self.trimmed_seq:
            event.old = event.new = None  # no longer readable: nobody needs its description
        else:
            event.update_description()

    def since(self, seq: int) -> Iterator[Event]:
        """Events with a sequence number above ``seq`` (contiguous numbering allows slicing).

        A reader that fell behind the retained window gets ``ChangeStreamHistoryLost`` rather
        than a silent gap, as a real server does when the oplog rolled over.
        """
        if seq >= self.last_seq:
            return iter(())
        if seq < self.trimmed_seq:
            raise history_lost()
        if not self.events:
            return iter(())
        start = max(0, seq + 1 - self.events[0].seq)
        # Lazy: a reader takes one batch at a time, so never copy the whole backlog.
        events = self.events
        return (events[i] for i in range(start, len(events)))

    def start_after_token(self, token: Any, *, allow_invalidate: bool) -> int:
        epoch, seq, flag = parse_token(token)
        if flag == INVALIDATE_FLAG and not allow_invalidate:
            raise CommandError(
                260,
                "Cannot resume a change stream after an invalidate event; use startAfter instead",
            )
        if epoch != self.epoch or seq > self.last_seq or seq < self.trimmed_seq:
            raise history_lost()
        return seq

    def start_at_time(self, ts: Timestamp) -> int:
        if self.trimmed_time is not None and ts <= self.trimmed_time:
            raise history_lost()
        for event in self.events:
            if event.time >= ts:
                return event.seq - 1
        return self.last_seq

    async def wait(self, seq: int, timeout: float) -> None:
        """Return when an event newer than ``seq`` exists, or after ``timeout`` seconds."""
        if self.last_seq > seq or timeout <= 0:
            return
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    def to_state(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "last_seq": self.last_seq,
            "trimmed_seq": self.trimmed_seq,
            "trimmed_time": self.trimmed_time,
            "last_time": self._last_time,
        }

    def load_state(self, state: dict[str, Any], events: list[Event]) -> None:
        self.epoch = state["epoch"]
        self.last_seq = state["last_seq"]
        self.trimmed_seq = state["trimmed_seq"]
        self.trimmed_time = state.get("trimmed_time")
        self._last_time = state["last_time"]
        self.events = deque(events)
        self._undescribed.clear()


def describe_update(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """An ``updateDescription`` from two versions of a document, with dotted field paths.

    ``disambiguatedPaths`` (sent only to streams with ``showExpandedEvents``) spells out, as
    lists of components, every path that a dotted string leaves ambiguous: one with a numeric
    field name or a field name holding a dot; array indexes are integers there.
    """
    updated: dict[str, Any] = {}
    removed: list[str] = []
    truncated: list[dict[str, Any]] = []
    ambiguous: dict[str, list[str | int]] = {}
    _diff(before, after, (), updated, removed, truncated, ambiguous)
    return {
        "updatedFields": updated,
        "removedFields": removed,
        "truncatedArrays": truncated,
        "disambiguatedPaths": ambiguous,
    }


def _path(components: tuple[str | int, ...], ambiguous: dict[str, list[str | int]]) -> str:
    """The dotted path of ``components``; kept in ``ambiguous`` when the dots leave it so."""
    path = ".".join([c if type(c) is str else str(c) for c in components])
    if any(type(c) is str and (c.isdigit() or "." in c) for c in components):
        ambiguous[path] = list(components)
    return path


def _diff(
    old: Any,
    new: Any,
    prefix: tuple[str | int, ...],
    updated: dict,
    removed: list,
    truncated: list,
    parts: dict[str, list[str | int]],
) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in new.items():
            previous = old.get(key, _ABSENT)
            if previous is value and type(value) in _SELF_SAME:
                continue  # _same, at once (most of a plain update's new document)
            if previous is _ABSENT:
                updated[_path((*prefix, key), parts)] = _copied(value)
            elif not _same(previous, value):
                if isinstance(previous, (dict, list)) and type(previous) is type(value):
                    _diff(previous, value, (*prefix, key), updated, removed, truncated, parts)
                else:
                    updated[_path((*prefix, key), parts)] = _copied(value)
        removed.extend(_path((*prefix, key), parts) for key in old if key not in new)
        return
    if isinstance(old, list) and isinstance(new, list):
        for index, value in enumerate(new):
            here = (*prefix, index)
            if index >= len(old):
                updated[_path(here, parts)] = _copied(value)
            elif not _same(old[index], value):
                if isinstance(old[index], dict) and isinstance(value, dict):
                    _diff(old[index], value, here, updated, removed, truncated, parts)
                else:
                    updated[_path(here, parts)] = _copied(value)
        if len(new) < len(old):
            truncated.append({"field": _path(prefix, parts), "newSize": len(new)})


_ABSENT: Any = object()
# One and the same document or array equals itself (Python compares their elements by identity
# first): a plain update's new document shares every unchanged part with the old one, so only
# the changed paths are compared and walked.
_SHARED = (dict, list)
# Values that one and the same object of is _same as itself (not a float: NaN is not).
_SELF_SAME = (IMMUTABLE - {float}) | set(_SHARED)


def _same(a: Any, b: Any) -> bool:
    if a is b and type(a) in _SHARED:
        return True
    # 1 == 1.0 == True in Python; MongoDB's oplog records a type change as a change.
    return type(a) is type(b) and a == b


def _copied(value: Any) -> Any:
    """A private copy of a changed value (``copy.deepcopy``, without its cost for the values
    that cannot change)."""
    kind = type(value)
    if kind in IMMUTABLE:
        return value
    if kind is dict:
        return {k: _copied(v) for k, v in value.items()}
    if kind is list:
        return [_copied(v) for v in value]
    return copy.deepcopy(value)
