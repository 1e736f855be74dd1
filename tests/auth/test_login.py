"""Sign-in, sign-out and the session cookie."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
from fastapi import FastAPI

from app.auth.events import last_logins
from app.auth.sessions import COOKIE_NAME, token_digest
from app.auth.signin import BAD_CREDENTIALS
from app.clock import VIETNAM
from models.auth import AuthEvent, AuthEventKind, LoginSession
from models.user import User
from tests.auth.helpers import (
    OLDEST_FIRST,
    PASSWORD,
    Delays,
    MakeClient,
    MakeUser,
    build_app,
    is_signed_out,
    login,
    make_settings,
    post_form,
)


async def test_login_page_is_vietnamese_and_light(client: httpx.AsyncClient) -> None:
    response = await client.get("/login")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert "Đăng nhập" in response.text
    assert "Tên đăng nhập" in response.text
    assert 'name="csrftoken"' in response.text
    assert "<script" not in response.text
    assert "http://" not in response.text
    assert len(response.content) < 4000


async def test_login_success_starts_a_session(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user = await make_user()
    response = await login(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    token = client.cookies.get(COOKIE_NAME)
    assert token
    session = await LoginSession.find_one(LoginSession.user_id == user.id)
    assert session is not None
    assert session.token_hash == token_digest(token) != token
    assert session.client_ip == "127.0.0.1"
    assert session.user_agent == "pytest-browser/1.0"
    assert session.revoked_at is None
    assert session.expires_at > session.idle_expires_at
    page = await client.get("/account")
    assert page.status_code == 200
    assert "Nguyễn Thị Lan" in page.text
    # The sign-in is in the journal, and the account is not written (no change-log entry).
    stored = await User.get(user.id)
    assert stored is not None
    assert stored.version == user.version
    assert str(user.id) in await last_logins([user.id])


async def test_login_goes_to_a_safe_next_page(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    response = await login(client, next="/admin/students?page=2")
    assert response.headers["location"] == "/admin/students?page=2"
    await client.post("/logout", data={"csrftoken": client.cookies["starlette_admin_csrftoken"]})
    response = await login(client, next="https://evil.example/steal")
    assert response.headers["location"] == "/account"
    await client.post("/logout", data={"csrftoken": client.cookies["starlette_admin_csrftoken"]})
    response = await login(client, next="//evil.example/")
    assert response.headers["location"] == "/account"


async def test_wrong_password_fails_without_a_session(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    response = await login(client, password="Sai mật khẩu rồi 2025")
    assert response.status_code == 400
    assert BAD_CREDENTIALS in response.text
    assert COOKIE_NAME not in client.cookies
    assert await LoginSession.count() == 0
    assert await is_signed_out(client)


async def test_unknown_user_gets_the_same_answer(
    make_client: MakeClient, make_user: MakeUser
) -> None:
    await make_user()
    known = await login(make_client("10.0.0.1"), password="Sai mật khẩu rồi 2025")
    unknown = await login(make_client("10.0.0.2"), username="khong.co.ai")
    assert known.status_code == unknown.status_code == 400

    def message(response: httpx.Response) -> str:
        match = re.search(r'<p class="notice error" role="alert">([^<]*)</p>', response.text)
        assert match
        return match.group(1)

    assert message(known) == message(unknown) == BAD_CREDENTIALS

    # Same page apart from the echoed username and the per-client CSRF token.
    def shape(response: httpx.Response) -> str:
        return re.sub(r'value="[^"]*"', 'value=""', response.text)

    assert shape(known) == shape(unknown)


async def test_echoed_input_is_escaped(client: httpx.AsyncClient) -> None:
    response = await login(client, username='<script>alert("x")</script>')
    assert response.status_code == 400
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


async def test_signed_in_visit_to_login_page_moves_on(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    await login(client)
    response = await client.get("/login?next=/admin/")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/"


async def test_login_events_are_recorded(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    await login(client, password="Sai mật khẩu rồi 2025")
    await login(client, username="khong.co.ai")
    await login(client)
    events = await AuthEvent.find_all().sort(OLDEST_FIRST).to_list()
    kinds = [e.kind for e in events]
    assert kinds == [
        AuthEventKind.LOGIN_FAILURE,
        AuthEventKind.LOGIN_FAILURE,
        AuthEventKind.LOGIN_SUCCESS,
    ]
    wrong, unknown, success = events
    assert wrong.user_id == str(user.id)
    assert wrong.detail == "Sai mật khẩu"
    assert unknown.user_id is None
    assert unknown.username == "khong.co.ai"
    assert success.user_id == str(user.id)
    assert success.username == "gv.lan"
    for event in events:
        assert event.client_ip == "127.0.0.1"
        assert event.user_agent == "pytest-browser/1.0"
        assert event.request_id
        assert len(event.request_id) == 32
    await post_form(client, "/logout", {})
    logout = await AuthEvent.find_one(AuthEvent.kind == AuthEventKind.LOGOUT)
    assert logout is not None
    assert logout.user_id == str(user.id)


async def test_previous_login_is_shown_after_sign_in(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    await login(client)
    first = await client.get("/account")
    assert "Đây là lần đăng nhập đầu tiên của bạn." in first.text
    again = await client.get("/account")  # shown once only
    assert "lần đăng nhập đầu tiên" not in again.text

    event = await AuthEvent.find_one(AuthEvent.kind == AuthEventKind.LOGIN_SUCCESS)
    assert event is not None
    event.at = datetime(2026, 11, 27, 1, 15)  # 08:15 in Vietnam
    await event.save()
    await post_form(client, "/logout", {})
    await login(client)
    page = await client.get("/account")
    assert "Lần đăng nhập trước: 08:15 ngày 27/11/2026 từ 127.0.0.1" in page.text


def test_vietnam_time_is_utc_plus_seven() -> None:
    assert datetime(2026, 1, 1).astimezone(VIETNAM).utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]


async def test_session_cookie_flags(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await make_user()
    response = await login(client)
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith(COOKIE_NAME))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert "secure" in flags  # ENV=test is not development
    assert not any(f.startswith(("max-age", "expires")) for f in flags)


async def test_session_cookie_is_secure_in_production(
    mdb: object, mongo_uri: str, db_name: str, make_client: MakeClient, make_user: MakeUser
) -> None:
    await make_user()
    app = build_app(make_settings(mongo_uri, db_name, env="production"), Delays())
    response = await login(make_client(target=app))
    assert response.status_code == 303
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith(COOKIE_NAME))
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


async def test_session_cookie_is_not_secure_in_development(
    mdb: object, mongo_uri: str, db_name: str, make_client: MakeClient, make_user: MakeUser
) -> None:
    await make_user()
    app: FastAPI = build_app(make_settings(mongo_uri, db_name, env="development"), Delays())
    response = await login(make_client(target=app))
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith(COOKIE_NAME))
    assert "secure" not in [part.strip().lower() for part in cookie.split(";")]


async def test_logout_then_reusing_the_old_cookie_fails(
    client: httpx.AsyncClient, make_client: MakeClient, make_user: MakeUser
) -> None:
    await make_user()
    await login(client)
    old_token = client.cookies[COOKIE_NAME]
    assert (await client.get("/account")).status_code == 200
    response = await post_form(client, "/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert COOKIE_NAME not in client.cookies
    session = await LoginSession.find_one(LoginSession.token_hash == token_digest(old_token))
    assert session is not None
    assert session.revoked_at is not None

    replay = make_client()
    replay.cookies.set(COOKIE_NAME, old_token)
    answer = await replay.get("/account")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=%2Faccount")
    assert "expired=1" in answer.headers["location"]
    # The dead cookie is cleared.
    assert any(
        v.startswith(f'{COOKIE_NAME}=""') or v.startswith(f"{COOKIE_NAME}=;")
        for v in answer.headers.get_list("set-cookie")
    )


async def test_expired_session_is_refused(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await make_user()
    await login(client)
    session = await LoginSession.find_one()
    assert session is not None
    session.idle_expires_at = datetime(2000, 1, 1)
    await session.save()
    assert await is_signed_out(client)


async def test_login_replaces_an_earlier_session(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    await login(client)
    first = client.cookies[COOKIE_NAME]
    await post_form(client, "/login", {"username": "gv.lan", "password": PASSWORD})
    assert client.cookies[COOKIE_NAME] != first
    old = await LoginSession.find_one(LoginSession.token_hash == token_digest(first))
    assert old is not None
    assert old.revoked_at is not None
