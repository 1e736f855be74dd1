"""Reads the dashboards keep while what they read is unchanged.

Every write goes through the stamped write path, which sets ``meta.at``; the number of a
reader's records and their latest stamp (one count and one indexed, projection-only read) tell
whether anything was written, deleted, or left the reader's scope since a read. A kept read is
reused only when that *fingerprint* is unchanged and the read happened at least ``SETTLE``
after the latest stamp (a write stamped just before the read but committed after it is then
caught on the next request). Each fresh read gets a new *generation*, so what is computed from
kept reads can itself be kept by their generations.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from app.clock import as_utc, utcnow
from app.records.diff import get_path
from app.store import Access, Restricted
from app.store.handles import Page
from models.role import Action

SETTLE = timedelta(seconds=5)
KEPT = 8  # reader scopes kept at once, per kind of read

T = TypeVar("T")
K = TypeVar("K")

_generations = itertools.count(1)


def next_generation() -> int:
    return next(_generations)


def scope_key(access: Access, resource: str, *parts: Any) -> str:
    """What the reader may read of ``resource``: their grants (row filters already worked out
    for them) and what of their account the field patterns may name, with ``parts`` (e.g. the
    school year). Readers with the same grants and context share what is kept."""
    scope = access.scope(resource, Action.VIEW)
    grants = [(g.role, g.index, g.filter, list(g.readable.patterns)) for g in scope.matched]
    ctx = scope.ctx
    personal = any("$user.username" in p or "$user.id" in p for *_, ps in grants for p in ps)
    context = [
        ctx.username if personal else None,
        ctx.current_school_year,
        list(ctx.homeroom_classes),
        [list(t) for t in ctx.teaching],
        ctx.subject_group,
        list(ctx.group_subjects),
    ]
    return json.dumps([resource, list(parts), context, grants], default=str, sort_keys=True)


async def fingerprint(handle: Restricted) -> tuple[int, datetime | None]:
    """How many records the reader may read and their latest write stamp."""
    count = await handle.count()
    latest = await handle.rows(None, Page(sort=[("meta.at", -1)], limit=1), only=["meta.at"])
    at = get_path(latest[0], "meta.at") if latest else None
    return count, as_utc(at) if isinstance(at, datetime) else None


def settled(read_at: datetime, latest: datetime | None) -> bool:
    return latest is not None and read_at - latest >= SETTLE


@dataclass
class Kept(Generic[T]):
    count: int
    latest: datetime | None
    read_at: datetime
    value: T
    generation: int


class KeptReads(Generic[T]):
    """One kind of read of one resource, kept per reader scope."""

    def __init__(self, resource: str) -> None:
        self.resource = resource
        self._kept: OrderedDict[str, Kept[T]] = OrderedDict()

    async def read(
        self,
        access: Access,
        key: str,
        fresh: Callable[[Restricted], Awaitable[T]],
    ) -> Kept[T]:
        """What ``fresh`` reads through the reader's handle, read again only when the records
        the reader may read changed (or their latest write had not settled)."""
        handle = access.handle(self.resource, Action.VIEW)
        read_at = utcnow()
        count, latest = await fingerprint(handle)
        kept = self._kept.get(key)
        unchanged = kept is not None and (count, latest) == (kept.count, kept.latest)
        if kept is not None and unchanged and settled(kept.read_at, kept.latest):
            self._kept.move_to_end(key)
            return kept
        kept = Kept(count, latest, read_at, await fresh(handle), next_generation())
        remember(self._kept, key, kept)
        return kept

    def forget(self) -> None:
        self._kept.clear()


def remember(kept: OrderedDict[K, Any], key: K, value: Any, size: int = KEPT) -> None:
    """Keep ``value`` under ``key`` as the newest, dropping the oldest beyond ``size``."""
    kept[key] = value
    kept.move_to_end(key)
    while len(kept) > size:
        kept.popitem(last=False)
