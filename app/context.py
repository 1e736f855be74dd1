"""Request-scoped context (who is acting, which request), set by middleware, read by writes."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person (or process) a write is attributed to."""

    id: str
    name: str
    role: str


SYSTEM_ACTOR = Actor(id="system", name="Hệ thống", role="system")

current_actor: ContextVar[Actor | None] = ContextVar("current_actor", default=None)
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
