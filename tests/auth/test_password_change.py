"""Changing passwords: forced change, expiry, history, sessions ended."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.auth import policy
from app.auth.account_routes import CHANGED, MISMATCH, WRONG_CURRENT
from app.auth.passwords import verify_password
from app.auth.sessions import COOKIE_NAME, token_digest
from app.clock import utcnow
from models.auth import AuthEvent, AuthEventKind, LoginSession
from models.user import User
from tests.auth.helpers import PASSWORD, MakeClient, MakeUser, is_signed_out, login, post_form

NEW = "Hoa ban nở trắng núi rừng"


async def change(
    client: httpx.AsyncClient, current: str, new: str, again: str | None = None, **extra: str
) -> httpx.Response:
    data = {
        "current_password": current,
        "new_password": new,
        "new_password_again": new if again is None else again,
        **extra,
    }
    return await post_form(client, "/account/password", data)


async def test_first_login_forces_a_change_everywhere(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user(must_change_password=True)
    response = await login(client, next="/admin/students")
    assert response.status_code == 303
    assert response.headers["location"] == "/account/password?next=%2Fadmin%2Fstudents"
    page = await client.get("/account/password")
    assert "Bạn cần đặt mật khẩu mới trước khi tiếp tục làm việc." in page.text
    assert "Quay lại trang tài khoản" not in page.text  # no way around the change
    for path in ["/account", "/admin/", "/anything?x=1"]:
        answer = await client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/account/password?next=")
    api = await client.get("/api/v1/students")
    assert api.status_code == 403
    assert api.json()["detail"]

    done = await change(client, PASSWORD, NEW, next="/admin/students")
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/students"
    account = await client.get("/account")
    assert account.status_code == 200
    assert CHANGED in account.text
    user = await User.find_one(User.username == "gv.lan")
    assert user is not None
    assert not user.must_change_password
    assert verify_password(user.password_hash, NEW)


async def test_expired_password_forces_a_change(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user(changed_at=utcnow() - timedelta(days=91))
    response = await login(client)
    assert response.headers["location"] == "/account/password"
    page = await client.get("/account/password")
    assert "Mật khẩu của bạn đã hết hạn." in page.text
    assert (await client.get("/account")).status_code == 303
    assert (await change(client, PASSWORD, NEW)).status_code == 303
    assert (await client.get("/account")).status_code == 200


async def test_expiry_warning_after_login(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await make_user(changed_at=utcnow() - timedelta(days=80, hours=1))
    response = await login(client)
    assert response.headers["location"] == "/account"
    page = await client.get("/account")
    assert "Mật khẩu của bạn sẽ hết hạn sau 10 ngày" in page.text
    # Whatever page comes first after sign-in carries the reminder, once.
    await post_form(client, "/logout", {})
    await login(client, next="/account/password")
    first = await client.get("/account/password")
    assert "Mật khẩu của bạn sẽ hết hạn sau 10 ngày" in first.text
    second = await client.get("/account/password")
    assert "sẽ hết hạn" not in second.text


async def test_no_warning_when_expiry_is_far(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user(changed_at=utcnow() - timedelta(days=30))
    await login(client)
    assert "sẽ hết hạn" not in (await client.get("/account")).text
    # A change nobody asks for can be abandoned.
    assert (
        '<a href="/account">Quay lại trang tài khoản</a>'
        in (await client.get("/account/password")).text
    )


async def test_each_rule_is_reported_on_the_page(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    await login(client)
    cases = {
        "ngắn quá": policy.TOO_SHORT,
        "gv.lan mùa thu 2025": policy.CONTAINS_USERNAME,
        "Mật khẩu 123": policy.TOO_COMMON,
        PASSWORD: policy.REUSED.format(n=5),
    }
    for candidate, message in cases.items():
        response = await change(client, PASSWORD, candidate)
        assert response.status_code == 400, candidate
        assert message in response.text, candidate
    wrong = await change(client, "không đúng đâu 123", NEW)
    assert wrong.status_code == 400
    assert WRONG_CURRENT in wrong.text
    mismatch = await change(client, PASSWORD, NEW, again=NEW + "x")
    assert mismatch.status_code == 400
    assert MISMATCH in mismatch.text
    user = await User.find_one(User.username == "gv.lan")
    assert user is not None
    assert verify_password(user.password_hash, PASSWORD)
    failure = await AuthEvent.find_one(AuthEvent.kind == AuthEventKind.PASSWORD_CHANGE_FAILURE)
    assert failure is not None


async def test_last_five_passwords_cannot_be_reused(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user()
    await login(client)
    passwords = [PASSWORD] + [f"Bài thơ số {i} của mùa xuân" for i in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert (await change(client, old, new)).status_code == 303
    current = passwords[-1]
    for recent in passwords[1:]:  # the current one and the four before it
        response = await change(client, current, recent)
        assert response.status_code == 400, recent
        assert policy.REUSED.format(n=5) in response.text
    # The sixth most recent has dropped out of the window.
    assert (await change(client, current, passwords[0])).status_code == 303
    user = await User.find_one(User.username == "gv.lan")
    assert user is not None
    assert len(user.password_history) == 4


async def test_change_ends_other_sessions_but_keeps_this_one(
    make_client: MakeClient, make_user: MakeUser
) -> None:
    user = await make_user()
    here, there, third = make_client(), make_client("10.1.1.1"), make_client("10.1.1.2")
    for browser in (here, there, third):
        assert (await login(browser)).status_code == 303
    assert (await change(here, PASSWORD, NEW)).status_code == 303
    assert (await here.get("/account")).status_code == 200
    assert await is_signed_out(there)
    assert await is_signed_out(third)
    kept = await LoginSession.find_one(
        LoginSession.token_hash == token_digest(here.cookies[COOKIE_NAME])
    )
    assert kept is not None
    assert kept.revoked_at is None
    open_count = await LoginSession.find(
        LoginSession.user_id == user.id,
        LoginSession.revoked_at == None,  # noqa: E711
    ).count()
    assert open_count == 1
    kinds = {e.kind for e in await AuthEvent.find_all().to_list()}
    assert {AuthEventKind.PASSWORD_CHANGE, AuthEventKind.SESSIONS_REVOKED} <= kinds


async def test_user_can_end_their_other_sessions(
    make_client: MakeClient, make_user: MakeUser
) -> None:
    await make_user()
    here, there = make_client(), make_client("10.1.1.1")
    await login(here)
    await login(there)
    page = await here.get("/account")
    assert "Phiên đăng nhập đang mở" in page.text
    assert "10.1.1.1" in page.text
    response = await post_form(here, "/account/sessions/end-others", {})
    assert response.status_code == 303
    assert "Đã kết thúc 1 phiên đăng nhập khác." in (await here.get("/account")).text
    assert await is_signed_out(there)


async def test_password_page_needs_a_session(client: httpx.AsyncClient) -> None:
    response = await client.get("/account/password")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faccount%2Fpassword"
