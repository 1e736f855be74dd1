"""Server-side sessions: a random token in the cookie, only its SHA-256 in MongoDB."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from beanie import PydanticObjectId
from starlette.responses import Response

from app.clock import utcnow
from app.store import Access, session_principal
from models.auth import AuthEventKind, LoginSession
from models.user import User

from .config import AuthConfig
from .events import record_event, trim_agent

COOKIE_NAME = "hocba_session"
# Writing last_seen on every request would double the database load for nothing.
TOUCH_INTERVAL = timedelta(seconds=60)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def start_session(
    user: User, *, client_ip: str | None, user_agent: str | None, config: AuthConfig
) -> tuple[str, LoginSession]:
    """A fresh session for ``user``; returns the cookie token (never stored) and the document."""
    assert user.id is not None
    token, now = new_token(), utcnow()
    session = LoginSession(
        token_hash=token_digest(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        idle_expires_at=now + config.session_idle,
        expires_at=now + config.session_absolute,
        client_ip=client_ip,
        user_agent=trim_agent(user_agent),
    )
    await session.insert()
    await flag_shared_use(user, session, now)
    return token, session


async def flag_shared_use(user: User, session: LoginSession, now: datetime) -> None:
    """Journal a sign-in while the account has another open session from another address:
    a sign that the account is shared (regulation Art. 12.1), shown on the operations page."""
    if not session.client_ip:
        return
    others = await LoginSession.find(
        {
            "user_id": user.id,
            "_id": {"$ne": session.id},
            "revoked_at": None,
            "client_ip": {"$nin": [None, session.client_ip]},
            "expires_at": {"$gt": now},
            "idle_expires_at": {"$gt": now},
        }
    ).to_list()
    if others:
        addresses = ", ".join(sorted({str(s.client_ip) for s in others}))
        await record_event(
            AuthEventKind.CONCURRENT_SESSION,
            username=user.username,
            user_id=user.id,
            client_ip=session.client_ip,
            user_agent=session.user_agent,
            detail=f"Đăng nhập từ {session.client_ip} khi tài khoản đang mở phiên từ {addresses}",
        )


async def resolve_session(
    token: str, *, config: AuthConfig, now: datetime | None = None
) -> tuple[LoginSession, Access] | None:
    """The open session for a cookie token and the access of its active account, or None.

    The session, the account, its roles and the catalogue values rules use come in one
    database command: this runs before every signed-in request.
    """
    now = now or utcnow()
    found = await session_principal(LoginSession.get_pymongo_collection(), token_digest(token))
    if found is None:
        return None
    session = LoginSession.model_validate(found[0])
    principal = found[1]
    if not session.is_valid(now):
        return None
    if principal.user is None or not principal.user.active:
        # Disabled from anywhere (panel form, shell): the session dies with the account.
        await end_session(session, reason="Tài khoản không còn hoạt động", now=now)
        return None
    if now - session.last_seen_at >= TOUCH_INTERVAL:
        session.last_seen_at = now
        session.idle_expires_at = min(now + config.session_idle, session.expires_at)
        await LoginSession.get_pymongo_collection().update_one(
            {"_id": session.id, "revoked_at": None},
            {"$set": {"last_seen_at": now, "idle_expires_at": session.idle_expires_at}},
        )
    return session, Access(principal=principal)


async def end_session(session: LoginSession, *, reason: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    await LoginSession.get_pymongo_collection().update_one(
        {"_id": session.id, "revoked_at": None},
        {"$set": {"revoked_at": now, "revoked_reason": reason}},
    )
    session.revoked_at, session.revoked_reason = now, reason


async def revoke_sessions(
    user_id: PydanticObjectId,
    except_session_id: PydanticObjectId | None = None,
    *,
    reason: str = "Kết thúc theo yêu cầu",
    username: str | None = None,
) -> int:
    """End every open session of the user (but one, if given); journals how many were ended."""
    query: dict[str, object] = {"user_id": user_id, "revoked_at": None}
    if except_session_id is not None:
        query["_id"] = {"$ne": except_session_id}
    result = await LoginSession.get_pymongo_collection().update_many(
        query, {"$set": {"revoked_at": utcnow(), "revoked_reason": reason}}
    )
    if result.modified_count:
        await record_event(
            AuthEventKind.SESSIONS_REVOKED,
            username=username,
            user_id=user_id,
            detail=f"{reason}: {result.modified_count} phiên",
        )
    return result.modified_count


async def open_sessions(user_id: PydanticObjectId) -> list[LoginSession]:
    now = utcnow()
    sessions = await LoginSession.find(
        LoginSession.user_id == user_id,
        LoginSession.revoked_at == None,  # noqa: E711
    ).to_list()
    return sorted(
        (s for s in sessions if s.is_valid(now)), key=lambda s: s.last_seen_at, reverse=True
    )


def set_session_cookie(response: Response, token: str, config: AuthConfig) -> None:
    # No max-age: the cookie dies with the browser (shared school computers); the server
    # enforces the idle and absolute limits anyway.
    response.set_cookie(
        COOKIE_NAME, token, path="/", httponly=True, samesite="lax", secure=config.secure_cookies
    )


def clear_session_cookie(response: Response, config: AuthConfig) -> None:
    response.delete_cookie(
        COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=config.secure_cookies
    )
