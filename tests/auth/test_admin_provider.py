"""The admin panel signs in through the site: its login and logout land on our pages."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette_admin.contrib.beanie import Admin

from app.auth.admin_provider import AdminAuthProvider
from app.auth.sessions import COOKIE_NAME
from models.auth import AuthEvent, AuthEventKind, LoginSession
from models.user import User
from tests.auth.helpers import CSRF_COOKIE, SECRET, MakeUser, login


@pytest.fixture
def admin_app(app: FastAPI) -> FastAPI:
    admin = Admin(title="Học bạ số", auth_provider=AdminAuthProvider(), secret_key=SECRET)
    admin.mount_to(app)
    return app


async def test_stranger_is_sent_to_the_site_login(
    admin_app: FastAPI, client: httpx.AsyncClient
) -> None:
    first = await client.get("/admin/")
    assert first.status_code == 303
    assert first.headers["location"].startswith("https://testserver/admin/login?next=")
    second = await client.get(first.headers["location"])
    assert second.status_code == 303
    assert second.headers["location"] == "/login?next=%2Fadmin%2F"


async def test_signed_in_user_sees_the_panel_with_one_csrf_token(
    admin_app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    response = await login(client, next="/admin/")
    assert response.headers["location"] == "/admin/"
    page = await client.get("/admin/")
    assert page.status_code == 200
    assert "Nguyễn Thị Lan" in page.text
    tokens = set(re.findall(r'name="csrftoken" value="([^"]+)"', page.text))
    assert tokens == {client.cookies[CSRF_COOKIE]}
    assert len(page.headers.get_list("set-cookie")) == 0 or all(
        not c.startswith(CSRF_COOKIE) for c in page.headers.get_list("set-cookie")
    )

    logout = await client.post("/admin/logout", data={"csrftoken": tokens.pop()})
    assert logout.status_code == 303
    assert logout.headers["location"] == "/login"
    assert COOKIE_NAME not in client.cookies
    assert await LoginSession.find(LoginSession.revoked_at == None).count() == 0  # noqa: E711
    assert await AuthEvent.find_one(AuthEvent.kind == AuthEventKind.LOGOUT) is not None
    assert (await client.get("/admin/")).status_code == 303


async def test_sign_in_notices_show_on_the_panel(
    admin_app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    await login(client, next="/admin/")
    page = await client.get("/admin/")
    assert "Đây là lần đăng nhập đầu tiên của bạn." in page.text
    again = await client.get("/admin/")
    assert "lần đăng nhập đầu tiên" not in again.text


async def test_first_visit_to_the_panel_gets_a_usable_token(
    admin_app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    # No CSRF cookie yet when the panel renders: both middlewares must agree on one token.
    await make_user()
    await login(client)
    client.cookies.delete(CSRF_COOKIE)
    page = await client.get("/admin/")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token
    assert client.cookies[CSRF_COOKIE] == token.group(1)
    logout = await client.post("/admin/logout", data={"csrftoken": token.group(1)})
    assert logout.status_code == 303


async def test_provider_denies_pending_password_change(make_user: MakeUser) -> None:
    provider = AdminAuthProvider()
    user = await make_user()

    def request_with(value: User | None) -> Request:
        request = Request({"type": "http", "method": "GET", "path": "/admin/", "headers": []})
        request.state.user = value
        return request

    admin_user = await provider.authenticate(request_with(user))
    assert admin_user is not None
    assert admin_user.username == "Nguyễn Thị Lan"
    assert await provider.authenticate(request_with(None)) is None
    user.must_change_password = True
    assert await provider.authenticate(request_with(user)) is None
