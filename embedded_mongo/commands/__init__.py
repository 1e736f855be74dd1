"""Command handlers. Each module registers its commands in ``REGISTRY`` with ``@command``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bson.int64 import Int64
from bson.objectid import ObjectId

from ..changes import History
from ..cursors import DEFAULT_FIRST_BATCH, Cursor, CursorRegistry
from ..errors import CommandError, not_supported
from ..store import Store

Handler = Callable[["Context", dict[str, Any], str], "dict[str, Any] | Awaitable[dict[str, Any]]"]
REGISTRY: dict[str, Handler] = {}
MAX_SESSIONS = 10_000


@dataclass
class ServerState:
    """Everything the handlers share; owned by the server's event loop thread."""

    store: Store
    history: History
    cursors: CursorRegistry = field(default_factory=CursorRegistry)
    replica_set: str | None = "rs0"
    address: str = "127.0.0.1:27017"
    election_id: ObjectId = field(default_factory=ObjectId)
    next_connection_id: int = 1
    # Logical sessions seen, newest last: session id -> last use ($listLocalSessions).
    sessions: OrderedDict[Any, datetime] = field(default_factory=OrderedDict)

    def session_used(self, lsid: Any) -> None:
        if not isinstance(lsid, dict) or "id" not in lsid:
            return
        key = bytes(lsid["id"])
        self.sessions.pop(key, None)
        self.sessions[key] = datetime.now(UTC).replace(tzinfo=None)
        while len(self.sessions) > MAX_SESSIONS:
            self.sessions.popitem(last=False)


@dataclass
class Context:
    state: ServerState
    connection_id: int


def command(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            REGISTRY[name.lower()] = handler
        return handler

    return register


def load_all() -> None:
    from . import admin, aggregation, crud, handshake  # noqa: F401  (imported for registration)


def cursor_reply(
    ctx: Context,
    ns: str,
    docs: Any,
    *,
    batch_size: int | None = None,
    single_batch: bool = False,
) -> dict[str, Any]:
    """Open a cursor over ``docs`` and answer with its first batch."""
    cursor = Cursor(ns, iter(docs))
    count = DEFAULT_FIRST_BATCH if batch_size is None else batch_size
    first = [] if count == 0 else cursor.next_batch(count)
    cursor_id = 0
    if not cursor.exhausted and not single_batch:
        cursor_id = ctx.state.cursors.register(cursor)
    return {"cursor": {"firstBatch": first, "id": Int64(cursor_id), "ns": ns}}


def collection_name(cmd: dict[str, Any]) -> str:
    """The collection a command names in its first field (``{find: "pupils", ...}``)."""
    value = next(iter(cmd.values()), None)
    if not isinstance(value, str) or not value:
        raise CommandError(73, f"Invalid namespace specified: {value!r}")
    return value


def int_option(cmd: dict[str, Any], name: str, default: int | None = None) -> int | None:
    """Read a non-negative integer option the way the server validates it."""
    value = cmd.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise CommandError(14, f"Field '{name}' must be a whole number")
    return int(value)


def refuse_collation(spec: dict[str, Any]) -> None:
    """Refuse a collation other than the default one ("simple": binary comparison of strings,
    which is what the backend does)."""
    collation = spec.get("collation")
    if collation and dict(collation) != {"locale": "simple"}:
        raise not_supported("Collation")
