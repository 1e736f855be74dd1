"""Account services used by the admin panel: reset, disable, revoke; every write stamped."""

from __future__ import annotations

import httpx
import pytest

from app.auth import policy
from app.auth.passwords import verify_password
from app.auth.service import (
    PasswordRejected,
    authenticate,
    clear_login_lock,
    disable_user,
    enable_user,
    generate_temporary_password,
    revoke_sessions,
    set_password,
)
from app.context import Actor, current_request_id
from models.auth import AuthEvent, AuthEventKind, LoginSession, LoginThrottle
from models.common import WriteSource
from models.user import User
from tests.auth.helpers import PASSWORD, MakeClient, MakeUser, is_signed_out, login

IT = Actor(id="it-1", name="Trần Văn Tin", role="cntt")


async def test_admin_reset_forces_change_and_ends_every_session(
    make_client: MakeClient, make_user: MakeUser
) -> None:
    user = await make_user()
    browsers = [make_client(), make_client("10.2.0.1")]
    for browser in browsers:
        await login(browser)
    temporary = generate_temporary_password()
    assert policy.check_password(temporary, username=user.username) == []
    token = current_request_id.set("req-reset-1")
    try:
        await set_password(user, temporary, by_admin=True, actor=IT)
    finally:
        current_request_id.reset(token)
    for browser in browsers:
        assert await is_signed_out(browser)
    stored = await User.get(user.id)
    assert stored is not None
    assert stored.must_change_password
    assert verify_password(stored.password_hash, temporary)
    assert stored.version == 2  # created at 1, one reset (sign-ins do not write the account)
    assert stored.meta is not None
    assert (stored.meta.actor_id, stored.meta.actor_name, stored.meta.role) == (
        "it-1",
        "Trần Văn Tin",
        "cntt",
    )
    assert stored.meta.source is WriteSource.ADMIN
    assert stored.meta.request_id == "req-reset-1"
    assert stored.revision_id == user.revision_id  # the caller's object is kept in step
    reset = await AuthEvent.find_one(AuthEvent.kind == AuthEventKind.PASSWORD_RESET)
    assert reset is not None
    assert reset.actor_name == "Trần Văn Tin"
    assert reset.user_id == str(user.id)
    assert reset.username == "gv.lan"
    # Next sign-in goes straight to the change page.
    fresh = make_client("10.2.0.9")
    response = await login(fresh, password=temporary)
    assert response.headers["location"] == "/account/password"


async def test_admin_reset_still_refuses_weak_passwords(make_user: MakeUser) -> None:
    user = await make_user()
    with pytest.raises(PasswordRejected) as caught:
        await set_password(user, "123456789", by_admin=True, actor=IT)
    assert policy.TOO_SHORT in caught.value.problems
    assert policy.TOO_COMMON in caught.value.problems
    stored = await User.get(user.id)
    assert stored is not None
    assert verify_password(stored.password_hash, PASSWORD)


async def test_self_service_refuses_the_current_password(make_user: MakeUser) -> None:
    user = await make_user()
    with pytest.raises(PasswordRejected, match="5 mật khẩu gần nhất"):
        await set_password(user, PASSWORD, by_admin=False, actor=IT)


async def test_disabling_a_user_ends_their_sessions(
    make_client: MakeClient, make_user: MakeUser
) -> None:
    user = await make_user()
    browser = make_client()
    await login(browser)
    await disable_user(user, IT)
    assert await is_signed_out(browser)
    assert await LoginSession.find(LoginSession.revoked_at == None).count() == 0  # noqa: E711
    stored = await User.get(user.id)
    assert stored is not None
    assert not stored.active
    assert stored.version == 2  # created, disabled (the sign-in does not write the account)
    answer = await login(make_client("10.3.0.1"))
    assert answer.status_code == 400
    assert "ngừng hoạt động" in answer.text
    kinds = {e.kind for e in await AuthEvent.find_all().to_list()}
    assert {AuthEventKind.USER_DISABLED, AuthEventKind.SESSIONS_REVOKED} <= kinds
    await enable_user(user, IT)
    assert (await login(make_client("10.3.0.2"))).status_code == 303


async def test_deactivated_elsewhere_also_ends_the_session(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user = await make_user()
    await login(client)
    # e.g. the generic panel form or a shell: no service call, the middleware still notices.
    await User.get_pymongo_collection().update_one({"_id": user.id}, {"$set": {"active": False}})
    assert await is_signed_out(client)
    session = await LoginSession.find_one()
    assert session is not None
    assert session.revoked_at is not None


async def test_revoke_sessions_can_keep_one(make_client: MakeClient, make_user: MakeUser) -> None:
    user = await make_user()
    for n in range(3):
        await login(make_client(f"10.4.0.{n}"))
    assert user.id is not None
    keep = await LoginSession.find_one(LoginSession.client_ip == "10.4.0.1")
    assert keep is not None
    assert await revoke_sessions(user.id, keep.id) == 2
    still_open = await LoginSession.find({"revoked_at": None}).to_list()
    open_ips = [s.client_ip for s in still_open]
    assert open_ips == ["10.4.0.1"]
    assert await revoke_sessions(user.id) == 1
    assert await revoke_sessions(user.id) == 0


async def test_authenticate_directly(make_user: MakeUser) -> None:
    user = await make_user()
    ok = await authenticate("GV.LAN ", PASSWORD, "192.0.2.1", "agent")
    assert ok.ok
    assert ok.user is not None
    assert ok.user.id == user.id
    assert ok.notices == ("Đây là lần đăng nhập đầu tiên của bạn.",)
    bad = await authenticate("gv.lan", "sai", "192.0.2.1", "agent")
    assert not bad.ok
    assert bad.error
    assert not bad.locked


async def test_it_can_clear_a_lock(make_client: MakeClient, make_user: MakeUser) -> None:
    await make_user()
    for n in range(5):
        await login(make_client(f"10.5.0.{n}"), password="sai mật khẩu rồi")
    assert (await login(make_client("10.5.0.9"))).status_code == 429
    await clear_login_lock("gv.lan", IT)
    assert (await login(make_client("10.5.0.9"))).status_code == 303
    record = await LoginThrottle.find_one(LoginThrottle.key == "gv.lan")
    assert record is not None
    assert record.locked_until is None
    assert await AuthEvent.find_one(AuthEvent.kind == AuthEventKind.LOCK_CLEARED) is not None
