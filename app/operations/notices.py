"""The system notice: what is wrong, what to do, when it will be fixed; one at a time, shown
to every user (panel and sign-in pages) until withdrawn, each step journalled."""

from __future__ import annotations

import time

from beanie import PydanticObjectId, SortDirection

from app.auth.events import record_event
from app.clock import utcnow
from app.context import Actor
from app.errors import InvalidInput
from models.auth import AuthEventKind
from models.operations import SystemNotice

# Every page reads the notice; another process's change shows within this many seconds.
CACHE_SECONDS = 5.0
MAX_LENGTH = 500
_cache: tuple[float, SystemNotice | None] | None = None


def _clean(text: str, what: str, *, required: bool = False) -> str:
    text = " ".join(text.split())
    if required and not text:
        raise InvalidInput(f"Cần nhập {what}.")
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"{what.capitalize()} dài quá {MAX_LENGTH} ký tự.")
    return text


async def current_notice(*, fresh: bool = False) -> SystemNotice | None:
    global _cache
    if not fresh and _cache is not None and time.monotonic() - _cache[0] < CACHE_SECONDS:
        return _cache[1]
    found = (
        await SystemNotice.find(SystemNotice.withdrawn_at == None)  # noqa: E711
        .sort([("posted_at", SortDirection.DESCENDING)])
        .first_or_none()
    )
    _cache = (time.monotonic(), found)
    return found


def forget_cached() -> None:
    global _cache
    _cache = None


async def post_notice(
    *, problem: str, advice: str, expected_fix: str, actor: Actor
) -> SystemNotice:
    """Post a notice; the one shown before (if any) is withdrawn by it."""
    notice = SystemNotice(
        problem=_clean(problem, "mô tả sự cố", required=True),
        advice=_clean(advice, "hướng dẫn cho người dùng"),
        expected_fix=_clean(expected_fix, "thời gian dự kiến khắc phục"),
        posted_at=utcnow(),
        posted_by=actor.name,
    )
    previous = await current_notice(fresh=True)
    if previous is not None:
        await withdraw_notice(previous.id, actor=actor)
    await notice.insert()
    forget_cached()
    await record_event(
        AuthEventKind.NOTICE_POSTED,
        username=actor.name,
        user_id=actor.id,
        detail=f"Thông báo sự cố: {notice.problem}",
        actor=actor,
    )
    return notice


async def withdraw_notice(notice_id: PydanticObjectId | None, *, actor: Actor) -> bool:
    result = await SystemNotice.get_pymongo_collection().update_one(
        {"_id": notice_id, "withdrawn_at": None},
        {"$set": {"withdrawn_at": utcnow(), "withdrawn_by": actor.name}},
    )
    forget_cached()
    if not result.modified_count:
        return False
    await record_event(
        AuthEventKind.NOTICE_WITHDRAWN,
        username=actor.name,
        user_id=actor.id,
        detail="Gỡ thông báo sự cố",
        actor=actor,
    )
    return True
