"""Targeted writes to a user document, stamped like every other write the app makes.

Each write is one atomic ``find_one_and_update`` that sets only the given fields, bumps
``version``, stamps ``meta`` (actor, request id, reason, source) and renews ``revision_id`` so a
panel form opened before the change reports "changed by someone else" instead of overwriting it.
"""

from __future__ import annotations

from typing import Any

from app.context import Actor
from app.store import system_writer
from models.common import WriteSource
from models.user import User


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
    """Set ``changes`` on the stored user (through the stamped write path) and mirror the
    result onto ``user``."""
    assert user.id is not None, "only a stored account is updated"
    writer = system_writer("users", actor, source=source, reason=reason)
    stored: User = await writer.update(user.id, changes)
    for name in changes:
        setattr(user, name, getattr(stored, name))
    user.version = stored.version
    user.meta = stored.meta
    user.revision_id = stored.revision_id
    return user
