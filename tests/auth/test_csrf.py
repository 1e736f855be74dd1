"""Every form is CSRF-protected with one site-wide token; refusals are in Vietnamese."""

from __future__ import annotations

import httpx
import pytest

from app.auth.csrf import CSRF_REJECTED
from models.auth import LoginSession
from models.user import User
from tests.auth.helpers import CSRF_COOKIE, PASSWORD, MakeClient, MakeUser, get_form_token, login


@pytest.mark.parametrize("with_cookie", [False, True])
async def test_login_without_token_is_refused(
    client: httpx.AsyncClient, make_user: MakeUser, with_cookie: bool
) -> None:
    await make_user()
    if with_cookie:
        await client.get("/login")
    response = await client.post("/login", data={"username": "gv.lan", "password": PASSWORD})
    assert response.status_code == 403
    assert CSRF_REJECTED in response.text
    assert '<html lang="vi">' in response.text
    assert await LoginSession.count() == 0


async def test_login_with_a_forged_token_is_refused(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    await client.get("/login")
    data = {"username": "gv.lan", "password": PASSWORD, "csrftoken": "forged.value"}
    assert (await client.post("/login", data=data)).status_code == 403


async def test_token_of_another_browser_is_refused(
    make_client: MakeClient, make_user: MakeUser
) -> None:
    await make_user()
    victim, attacker = make_client(), make_client()
    stolen = await get_form_token(attacker)
    await victim.get("/login")
    data = {"username": "gv.lan", "password": PASSWORD, "csrftoken": stolen}
    assert (await victim.post("/login", data=data)).status_code == 403


async def test_password_change_without_token_is_refused(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user = await make_user()
    await login(client)
    data = {
        "current_password": PASSWORD,
        "new_password": "Hoa ban nở trắng núi rừng",
        "new_password_again": "Hoa ban nở trắng núi rừng",
    }
    response = await client.post("/account/password", data=data)
    assert response.status_code == 403
    assert CSRF_REJECTED in response.text
    stored = await User.get(user.id)
    assert stored is not None
    assert stored.password_hash == user.password_hash


async def test_logout_without_token_is_refused(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    await login(client)
    assert (await client.post("/logout")).status_code == 403
    assert (await client.get("/account")).status_code == 200


async def test_api_refusal_is_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/anything", json={})
    assert response.status_code == 403
    assert response.json() == {"detail": CSRF_REJECTED}


async def test_form_token_matches_the_cookie_from_the_first_visit(
    client: httpx.AsyncClient,
) -> None:
    token = await get_form_token(client)
    assert client.cookies[CSRF_COOKIE] == token
    response = await client.get("/login")  # a valid cookie is not replaced
    assert CSRF_COOKIE not in response.headers.get("set-cookie", "")


async def test_first_visit_sets_the_cookie_without_a_second_content_length(
    client: httpx.AsyncClient,
) -> None:
    # A duplicated Content-Length makes real HTTP servers (h11) drop the response.
    response = await client.get("/login")
    lengths = [v for k, v in response.headers.multi_items() if k.lower() == "content-length"]
    assert len(lengths) == 1
    assert CSRF_COOKIE in response.cookies
