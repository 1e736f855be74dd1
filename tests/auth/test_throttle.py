"""Repeated failures slow down, then lock, per account name and per client address."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from app.auth.config import AuthConfig
from app.auth.throttle import delay_seconds
from app.clock import utcnow
from models.auth import AuthEvent, AuthEventKind, LoginThrottle, ThrottleScope
from tests.auth.helpers import OLDEST_FIRST, Delays, MakeClient, MakeUser, login

WRONG = "Không phải mật khẩu này"
LOCKED_TEXT = "Đăng nhập tạm thời bị khóa"


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        (0, 0.0),
        (1, 0.0),
        (2, 0.0),
        (3, 0.5),
        (4, 1.0),
        (5, 2.0),
        (6, 4.0),
        (7, 8.0),
        (8, 8.0),
        (60, 8.0),
    ],
)
def test_delay_grows_from_the_third_failure_and_is_capped(failures: int, expected: float) -> None:
    assert delay_seconds(failures, AuthConfig()) == expected


async def test_account_delay_then_lock(
    make_client: MakeClient, make_user: MakeUser, delays: Delays
) -> None:
    await make_user()
    # Each attempt from a different address: only the account counter grows.
    for n in range(1, 5):
        response = await login(make_client(f"10.0.1.{n}"), password=WRONG)
        assert response.status_code == 400
    assert delays == [0.0, 0.0, 0.5, 1.0]
    fifth = await login(make_client("10.0.1.5"), password=WRONG)
    assert fifth.status_code == 429
    assert LOCKED_TEXT in fifth.text
    assert "15 phút" in fifth.text
    # Locked: even the right password is refused, from anywhere, without checking it.
    blocked = await login(make_client("10.0.1.6"))
    assert blocked.status_code == 429
    assert LOCKED_TEXT in blocked.text
    record = await LoginThrottle.find_one(LoginThrottle.scope == ThrottleScope.ACCOUNT)
    assert record is not None
    assert record.key == "gv.lan"
    assert record.locked_until is not None
    kinds = [e.kind for e in await AuthEvent.find_all().sort(OLDEST_FIRST).to_list()]
    assert kinds.count(AuthEventKind.LOCKOUT) == 1
    assert kinds[-1] == AuthEventKind.LOGIN_BLOCKED
    assert AuthEventKind.LOGIN_SUCCESS not in kinds


async def test_lock_ends_after_its_duration(make_client: MakeClient, make_user: MakeUser) -> None:
    await make_user()
    for n in range(5):
        await login(make_client(f"10.0.2.{n}"), password=WRONG)
    record = await LoginThrottle.find_one(LoginThrottle.scope == ThrottleScope.ACCOUNT)
    assert record is not None
    assert record.locked_until is not None
    past = utcnow() - timedelta(minutes=16)
    record.locked_until, record.last_failure_at = past, past
    await record.save()
    response = await login(make_client("10.0.2.9"))
    assert response.status_code == 303


async def test_unknown_account_locks_the_same_way(
    make_client: MakeClient, make_user: MakeUser, delays: Delays
) -> None:
    await make_user()
    answers = [
        await login(make_client(f"10.0.3.{n}"), username="khong.co.ai", password=WRONG)
        for n in range(6)
    ]
    known = [await login(make_client(f"10.0.4.{n}"), password=WRONG) for n in range(6)]
    assert [a.status_code for a in answers] == [k.status_code for k in known]
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429, 429]
    assert delays[:6] == delays[6:]


async def test_success_resets_the_account_counter_only(
    client: httpx.AsyncClient, make_client: MakeClient, make_user: MakeUser, delays: Delays
) -> None:
    await make_user()
    for _ in range(4):
        await login(client, password=WRONG)
    assert (await login(client)).status_code == 303
    account = await LoginThrottle.find_one(LoginThrottle.scope == ThrottleScope.ACCOUNT)
    address = await LoginThrottle.find_one(LoginThrottle.scope == ThrottleScope.ADDRESS)
    assert account is not None
    assert account.failures == 0
    # A success does not clear the address: one valid account must not launder an attacker.
    assert address is not None
    assert address.failures == 4
    delays.clear()
    await login(make_client("10.9.9.9"), password=WRONG)
    assert delays == [0.0]  # the account starts again from 1
    await login(make_client("127.0.0.1"), password=WRONG)
    assert delays[-1] == 2.0  # the delay follows the larger counter: this address is at 5


async def test_address_lock_after_twenty_failures(
    make_client: MakeClient, make_user: MakeUser, delays: Delays
) -> None:
    await make_user()
    attacker = make_client("203.0.113.7")
    # Different account names each time: no account reaches its own limit.
    for n in range(19):
        response = await login(attacker, username=f"ten.doan{n}", password=WRONG)
        assert response.status_code == 400
    assert delays[:4] == [0.0, 0.0, 0.5, 1.0]
    assert delays[-1] == 8.0
    twentieth = await login(attacker, username="ten.doan19", password=WRONG)
    assert twentieth.status_code == 429
    assert LOCKED_TEXT in twentieth.text
    # A real user's correct password from that address is refused too...
    blocked = await login(attacker)
    assert blocked.status_code == 429
    # ...but works from elsewhere.
    assert (await login(make_client("198.51.100.1"))).status_code == 303
    lock = await LoginThrottle.find_one(LoginThrottle.scope == ThrottleScope.ADDRESS)
    assert lock is not None
    assert lock.key == "203.0.113.7"
    assert lock.locked_until is not None


async def test_stale_failures_are_forgotten(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await make_user()
    for _ in range(4):
        await login(client, password=WRONG)
    record = await LoginThrottle.find_one(LoginThrottle.scope == ThrottleScope.ACCOUNT)
    assert record is not None
    assert record.failures == 4
    record.last_failure_at = utcnow() - timedelta(minutes=20)
    await record.save()
    assert (await login(client, password=WRONG)).status_code == 400  # 1st of a new run
    fresh = await LoginThrottle.find_one(LoginThrottle.scope == ThrottleScope.ACCOUNT)
    assert fresh is not None
    assert fresh.failures == 1
    assert fresh.locked_until is None
