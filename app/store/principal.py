"""Who is acting: the account as stored now, its roles, and the two catalogue values rules use
(the current school year, the subjects of the account's group), read in one database command.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pydantic import ValidationError

from models.role import Role
from models.rules.variables import UserContext, build_context
from models.user import User

from .collections import collection, collection_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principal:
    user: User | None
    ctx: UserContext
    roles: tuple[Role, ...] = ()

    @property
    def active(self) -> bool:
        return self.user is not None and self.ctx.active


ANONYMOUS = Principal(user=None, ctx=UserContext(username="", active=False))


def _lookups(user_field: str) -> list[dict[str, Any]]:
    """Stages that join an account (at ``user_field``) with its roles and catalogue values."""
    prefix = f"{user_field}." if user_field else ""
    return [
        {
            "$lookup": {
                "from": collection_name("roles"),
                "localField": f"{prefix}roles",
                "foreignField": "code",
                "as": "_roles",
            }
        },
        {
            "$lookup": {
                "from": collection_name("school_years"),
                "pipeline": [{"$match": {"is_current": True}}, {"$project": {"code": 1}}],
                "as": "_year",
            }
        },
        {
            "$lookup": {
                "from": collection_name("subjects"),
                "localField": f"{prefix}subject_group",
                "foreignField": "group",
                "as": "_group_subjects",
            }
        },
    ]


def _roles(raw_roles: list[dict[str, Any]]) -> tuple[Role, ...]:
    roles = []
    for raw in raw_roles:
        try:
            roles.append(Role.model_validate(raw))
        except ValidationError as exc:
            # A role that fails validation grants nothing (deny by default), and says so.
            log.warning("role %s is invalid and grants nothing: %s", raw.get("code"), exc)
    return tuple(roles)


def _principal(raw_user: dict[str, Any] | None, joined: dict[str, Any]) -> Principal:
    if raw_user is None:
        return ANONYMOUS
    try:
        user = User.model_validate(raw_user)
    except ValidationError:
        log.warning("user %s is not readable; denying", raw_user.get("_id"))
        return ANONYMOUS
    if not user.active:
        return Principal(user=user, ctx=UserContext(username=user.username, active=False))
    year = next((y.get("code") for y in joined.get("_year") or []), None)
    group = (
        [s["code"] for s in joined.get("_group_subjects") or [] if s.get("code")]
        if user.subject_group
        else []
    )
    ctx = build_context(user, current_school_year=year, group_subjects=group)
    return Principal(user=user, ctx=ctx, roles=_roles(joined.get("_roles") or []))


async def principal_of(user_id: ObjectId | str) -> Principal:
    """The account with this id as stored now (ANONYMOUS when gone or unreadable)."""
    if isinstance(user_id, str) and ObjectId.is_valid(user_id):
        user_id = ObjectId(user_id)
    pipeline: list[dict[str, Any]] = [{"$match": {"_id": user_id}}, {"$limit": 1}]
    pipeline += _lookups("")
    cursor = await collection("users").aggregate(pipeline)
    found = [doc async for doc in cursor]
    if not found:
        return ANONYMOUS
    doc = found[0]
    return _principal({k: v for k, v in doc.items() if not k.startswith("_") or k == "_id"}, doc)


async def session_principal(
    sessions: Any, token_hash: str
) -> tuple[dict[str, Any], Principal] | None:
    """The stored session with this token hash and its account's principal, in one command.

    ``sessions`` is the sign-in sessions' collection (owned by the sign-in service).
    """
    pipeline = [
        {"$match": {"token_hash": token_hash}},
        {"$limit": 1},
        {
            "$lookup": {
                "from": collection_name("users"),
                "localField": "user_id",
                "foreignField": "_id",
                "as": "_user",
            }
        },
        {"$unwind": {"path": "$_user", "preserveNullAndEmptyArrays": True}},
        *_lookups("_user"),
    ]
    cursor = await sessions.aggregate(pipeline)
    found = [doc async for doc in cursor]
    if not found:
        return None
    doc = found[0]
    session = {k: v for k, v in doc.items() if not k.startswith("_") or k == "_id"}
    return session, _principal(doc.get("_user"), doc)
