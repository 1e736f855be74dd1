"""Targeted writes to a user document, stamped like every other write the app makes.

Each write is one atomic ``find_one_and_update`` that sets only the given fields, bumps
``version``, stamps ``meta`` (actor, request id, reason, source) and renews ``revision_id`` so a
panel form opened before the change reports "changed by someone else" instead of overwriting it.
"""

from __future__ import annotations

import uuid
from typing import Any

from pymongo import ReturnDocument

from app.context import Actor, current_request_id
from app.errors import NotFound
from models.common import WriteMeta, WriteSource
from models.user import User

from .clock import utcnow


def stamp(actor: Actor, *, source: WriteSource, reason: str | None) -> WriteMeta:
    return WriteMeta(
        actor_id=actor.id,
        actor_name=actor.name,
        role=actor.role,
        request_id=current_request_id.get() or uuid.uuid4().hex,
        reason=reason,
        source=source,
        at=utcnow(),
    )


def actor_of(user: User) -> Actor:
    """The user acting on their own account."""
    return Actor(id=str(user.id), name=user.full_name, role=",".join(user.roles))


async def update_user(
    user: User,
    changes: dict[str, Any],
    *,
    actor: Actor,
    source: WriteSource,
    reason: str | None = None,
) -> User:
    """Set ``changes`` on the stored user and mirror the result onto ``user``."""
    meta = stamp(actor, source=source, reason=reason)
    revision = uuid.uuid4()
    update = {
        "$set": {**changes, "meta": meta.model_dump(mode="python"), "revision_id": revision},
        "$inc": {"version": 1},
    }
    raw = await User.get_pymongo_collection().find_one_and_update(
        {"_id": user.id}, update, return_document=ReturnDocument.AFTER
    )
    if raw is None:
        raise NotFound("Không tìm thấy tài khoản")
    for name, value in changes.items():
        setattr(user, name, value)
    user.version = raw.get("version", user.version + 1)
    user.meta = meta
    user.revision_id = revision
    return user
