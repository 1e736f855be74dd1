"""The chokepoint: every read and write of a resource asks :func:`scope_for` first.

Roles and the user are read fresh from the database on each request (an edit by the IT
group applies to the next request, no restart); within one request the answers may be
cached by wrapping it in :func:`permission_cache`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from bson import ObjectId
from pydantic import ValidationError

from models.role import Action, Role
from models.user import User

from .resources import resource as resource_spec
from .resources import resources
from .scope import Scope, compute_scope, denied
from .variables import UserContext, user_context

log = logging.getLogger(__name__)
ANONYMOUS = UserContext(username="", active=False)

_cache: ContextVar[dict[Any, Any] | None] = ContextVar("permission_cache", default=None)


@contextmanager
def permission_cache() -> Iterator[None]:
    """Cache users, roles and scopes for the duration of one request."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


async def fresh_user(user: User) -> User | None:
    """The user as stored now (None if deleted or unreadable); an unsaved user as given."""
    if user.id is None:
        return user
    raw = await User.get_pymongo_collection().find_one({"_id": user.id})
    if raw is None:
        return None
    try:
        return User.model_validate(raw)
    except ValidationError:
        log.warning("user %s is not readable; denying", user.id)
        return None


async def load_roles(codes: list[str]) -> list[Role]:
    """The roles with these codes, active or not; a role that fails validation is left out
    (so it grants nothing) and logged."""
    if not codes:
        return []
    roles = []
    async for raw in Role.get_pymongo_collection().find({"code": {"$in": list(codes)}}):
        try:
            roles.append(Role.model_validate(raw))
        except ValidationError as exc:
            log.warning("role %s is invalid and grants nothing: %s", raw.get("code"), exc)
    return roles


async def subject(user: User | None) -> tuple[UserContext, list[Role]]:
    """The acting user's context and roles, fresh from the database (cached per request)."""
    if user is None:
        return ANONYMOUS, []
    cache = _cache.get()
    key = ("subject", str(user.id) if user.id is not None else id(user))
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    current = await fresh_user(user)
    if current is None or not current.active:
        result: tuple[UserContext, list[Role]] = (ANONYMOUS, [])
    else:
        result = (await user_context(current), await load_roles(current.roles))
    if cache is not None:
        cache[key] = result
    return result


async def scope_for(user: User | None, resource: str, action: Action | str) -> Scope:
    """What ``user`` may do with ``resource`` for ``action``: deny by default."""
    if resource not in resources():
        raise ValueError(f"unknown resource {resource!r}")
    action = Action(action)
    ctx, roles = await subject(user)
    if not ctx.active:
        return denied(ctx, resource, action)
    cache = _cache.get()
    key = ("scope", ctx.id or ctx.username, resource, action)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    scope = compute_scope(ctx, roles, resource, action)
    if cache is not None:
        cache[key] = scope
    return scope


def object_id(record_id: Any) -> Any:
    if isinstance(record_id, str) and ObjectId.is_valid(record_id):
        return ObjectId(record_id)
    return record_id


def collection_of(resource: str) -> Any:
    """The collection holding ``resource`` (in the database the documents use)."""
    # Every resource lives in the database the documents were initialised with.
    return Role.get_pymongo_collection().database[resource_spec(resource).collection]


def _within(scope: Scope, record_id: Any) -> dict[str, Any]:
    return {"$and": [{"_id": object_id(record_id)}, scope.filter]}


async def scoped_record(
    user: User | None, resource: str, action: Action | str, record_id: Any
) -> tuple[Scope, dict[str, Any] | None]:
    """The scope and the stored document if ``user`` may do ``action`` on it (else None:
    answer 404, so records outside the scope are not revealed)."""
    scope = await scope_for(user, resource, action)
    if not scope.allowed:
        return scope, None
    raw = await collection_of(resource).find_one(_within(scope, record_id))
    return scope, raw


async def check_record(
    user: User | None, resource: str, action: Action | str, record_id: Any
) -> dict[str, Any] | None:
    """The stored document if ``user`` may do ``action`` on it, else None (answer 404)."""
    return (await scoped_record(user, resource, action, record_id))[1]


async def still_in_scope(
    user: User | None, resource: str, action: Action | str, record_id: Any
) -> bool:
    """After a write: does the document still match the user's filter for ``action``?"""
    scope = await scope_for(user, resource, action)
    if not scope.allowed:
        return False
    collection = collection_of(resource)
    return await collection.count_documents(_within(scope, record_id), limit=1) > 0


__all__ = [
    "Action",
    "Scope",
    "check_record",
    "scoped_record",
    "compute_scope",
    "load_roles",
    "permission_cache",
    "scope_for",
    "still_in_scope",
    "user_context",
]
