"""The authentication journal: one :class:`AuthEvent` per sign-in, sign-out or account event."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from beanie import SortDirection

from app.clock import utcnow
from app.context import Actor, current_actor, current_request_id
from models.auth import AuthEvent, AuthEventKind

USER_AGENT_MAX = 300
NEWEST_FIRST = [("at", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)]


@dataclass(frozen=True)
class ClientInfo:
    """Where the current request comes from; set by the auth middleware."""

    ip: str | None
    user_agent: str | None


current_client: ContextVar[ClientInfo | None] = ContextVar("current_client", default=None)


def trim_agent(user_agent: str | None) -> str | None:
    return user_agent[:USER_AGENT_MAX] if user_agent else None


async def record_event(
    kind: AuthEventKind,
    *,
    username: str | None = None,
    user_id: object | None = None,
    client_ip: str | None = None,
    user_agent: str | None = None,
    detail: str = "",
    actor: Actor | None = None,
) -> AuthEvent:
    """Append one journal entry. Client, actor and request id default to the current request's."""
    client = current_client.get()
    if client is not None:
        client_ip = client_ip or client.ip
        user_agent = user_agent or client.user_agent
    actor = actor or current_actor.get()
    event = AuthEvent(
        at=utcnow(),
        kind=kind,
        username=username,
        user_id=None if user_id is None else str(user_id),
        client_ip=client_ip,
        user_agent=trim_agent(user_agent),
        detail=detail,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else None,
        request_id=current_request_id.get(),
    )
    await event.insert()
    return event


async def previous_login(user_id: object) -> AuthEvent | None:
    """The user's latest successful sign-in, if any."""
    return (
        await AuthEvent.find(
            AuthEvent.user_id == str(user_id), AuthEvent.kind == AuthEventKind.LOGIN_SUCCESS
        )
        .sort(NEWEST_FIRST)
        .first_or_none()
    )


async def recent_logins(user_id: object, limit: int = 10) -> list[AuthEvent]:
    return (
        await AuthEvent.find(
            AuthEvent.user_id == str(user_id), AuthEvent.kind == AuthEventKind.LOGIN_SUCCESS
        )
        .sort(NEWEST_FIRST)
        .limit(limit)
        .to_list()
    )


async def last_logins(user_ids: Iterable[object]) -> dict[str, datetime]:
    """Each account's latest successful sign-in, read from the journal (the account document
    does not keep it: a sign-in is not a change to the account)."""
    wanted = sorted({str(i) for i in user_ids if i is not None})
    if not wanted:
        return {}
    cursor = await AuthEvent.get_pymongo_collection().aggregate(
        [
            {"$match": {"user_id": {"$in": wanted}, "kind": AuthEventKind.LOGIN_SUCCESS.value}},
            {"$group": {"_id": "$user_id", "at": {"$max": "$at"}}},
        ]
    )
    return {row["_id"]: row["at"] async for row in cursor}
