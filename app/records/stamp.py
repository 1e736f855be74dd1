"""The write stamp every app write carries: who, which request, why, from where."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.context import Actor, current_actor, current_request_id
from app.errors import Forbidden
from models.common import WriteMeta, WriteSource


def resolve_actor(actor: Actor | None, request_id: str | None) -> tuple[Actor, str]:
    """The acting person and request id, from the arguments or the request context."""
    actor = actor or current_actor.get()
    if actor is None:
        # Deny by default: an unattributed write would be indistinguishable from tampering.
        raise Forbidden("Không xác định được người thực hiện thay đổi")
    return actor, request_id or current_request_id.get() or uuid.uuid4().hex


def stamp_meta(
    actor: Actor,
    reason: str | None,
    source: WriteSource,
    request_id: str,
    *,
    intent: str | None = None,
) -> WriteMeta:
    return WriteMeta(
        intent=intent,
        actor_id=actor.id,
        actor_name=actor.name,
        role=actor.role,
        request_id=request_id,
        reason=reason,
        source=source,
        at=datetime.now(UTC).replace(tzinfo=None),
    )
