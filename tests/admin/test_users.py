"""Accounts in the panel: a one-time temporary password on creation and on reset, sessions
ended by deactivation and reset, and password hashes on no page and in no export."""

from __future__ import annotations

import base64
import contextlib
import re
import zlib

import httpx
import pytest

from app.auth.flash import EncryptedCookie
from app.auth.passwords import verify_password
from models.auth import AuthEvent, AuthEventKind, LoginSession
from models.user import User
from tests.admin.school import PASSWORD, School, api_headers, load_form, login, post, replace

FLASH_COOKIE = "starlette_admin_flash"
TEMPORARY = re.compile(r"\(chỉ hiện một lần\):? ([A-Za-z0-9]{14})")


def revealed(cookie: str, secret: str) -> bool:
    """Whether a cookie value shows ``secret`` as is or under (url-safe) base64."""
    decoded = ""
    for part in cookie.strip('"').split("."):
        padded = part + "=" * (-len(part) % 4)
        with contextlib.suppress(ValueError):
            decoded += base64.urlsafe_b64decode(padded).decode("utf-8", "replace")
            with contextlib.suppress(zlib.error):
                decoded += zlib.decompress(base64.urlsafe_b64decode(padded)).decode("utf-8")
    return secret in cookie or secret in decoded


def sent_to_login(response: httpx.Response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers["location"]


async def open_sessions(username: str) -> int:
    user = await User.find_one({"username": username})
    assert user is not None
    return await LoginSession.find({"user_id": user.id, "revoked_at": None}).count()


async def test_create_shows_a_temporary_password_once(school: School) -> None:
    it = await school.login("it.quantri")
    response = await post(
        it,
        "/admin/users/create",
        [
            ("username", "gv.moi"),
            ("full_name", "Hoàng Thị Mới"),
            ("roles", "gvbm"),
            ("teaching.1.class_name", "7A2"),
            ("teaching.1.subject", "NGUVAN"),
            ("active", "on"),
        ],
    )
    assert response.status_code == 303
    flash_cookie = response.cookies[FLASH_COOKIE]
    page = await it.get(response.headers["location"])
    match = TEMPORARY.search(page.text)
    assert match, "the temporary password is shown after creating the account"
    temporary = match.group(1)
    assert not revealed(flash_cookie, temporary)
    assert "Đã tạo tài khoản gv.moi" in page.text
    assert temporary not in (await it.get(response.headers["location"])).text  # only once

    user = await User.find_one({"username": "gv.moi"})
    assert user is not None
    assert user.must_change_password is True
    assert user.roles == ["gvbm"]
    assert [(t.class_name, t.subject) for t in user.teaching] == [("7A2", "NGUVAN")]
    assert verify_password(user.password_hash, temporary)
    # The new teacher signs in with it and is sent to choose a password first.
    newcomer = school.client()
    signed_in = await login(newcomer, "gv.moi", temporary)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"].startswith("/account/password")
    blocked = await newcomer.get("/admin/students/list")
    assert blocked.status_code == 303
    assert blocked.headers["location"].startswith("/account/password")


async def test_create_cannot_set_a_password_or_skip_the_change(school: School) -> None:
    it = await school.login("it.quantri")
    response = await post(
        it,
        "/admin/users/create",
        {
            "username": "gv.tuchon",
            "full_name": "Tự Chọn",
            "password_hash": "$argon2id$gia-mao",
            "must_change_password": "",
        },
    )
    assert response.status_code == 303
    user = await User.find_one({"username": "gv.tuchon"})
    assert user is not None
    assert user.must_change_password is True
    assert user.password_hash is not None
    assert "gia-mao" not in user.password_hash


async def test_deactivating_ends_the_users_sessions(school: School) -> None:
    teacher = await school.login("gv.toan")
    laptop = await school.login("gv.toan")
    assert (await teacher.get("/admin/students/list")).status_code == 200
    assert await open_sessions("gv.toan") == 2
    it = await school.login("it.quantri")
    path = f"/admin/users/edit?pk={school.ids[('users', 'gv.toan')]}"
    pairs = [(k, v) for k, v in await load_form(it, path) if k != "active"]  # box unticked
    response = await post(it, path, pairs)
    assert response.status_code == 303
    user = await User.find_one({"username": "gv.toan"})
    assert user is not None
    assert user.active is False
    assert await open_sessions("gv.toan") == 0
    assert sent_to_login(await teacher.get("/admin/students/list"))
    assert (await laptop.get("/api/v1/students")).status_code == 401
    relogin = await login(school.client(), "gv.toan")
    assert relogin.status_code == 400  # a disabled account cannot sign in again
    [event] = await AuthEvent.find({"kind": AuthEventKind.USER_DISABLED}).to_list()
    assert event.username == "gv.toan"
    assert event.actor_name == "Giàng A Tin"


async def test_reactivating_does_not_end_other_sessions(school: School) -> None:
    it = await school.login("it.quantri")
    teacher = await school.login("gv.cn7a2")
    path = f"/admin/users/edit?pk={school.ids[('users', 'gv.cn7a2')]}"
    response = await post(it, path, replace(await load_form(it, path), phone="0911222333"))
    assert response.status_code == 303
    assert (await teacher.get("/admin/students/list")).status_code == 200


async def test_reset_password_row_action(school: School) -> None:
    teacher = await school.login("gv.cn7a2")
    it = await school.login("it.quantri")
    pk = str(school.ids[("users", "gv.cn7a2")])
    listing = await it.get("/admin/users/list")
    assert "reset_password" in listing.text  # offered on the rows
    response = await it.post(
        "/admin/_api/users/row-action",
        params={"name": "reset_password", "pk": pk},
        headers=api_headers(it),
    )
    assert response.status_code == 200, response.text
    flash_cookie = response.cookies[FLASH_COOKIE]
    page = await it.get(response.json()["redirect"])
    match = TEMPORARY.search(page.text)
    assert match, "the new temporary password is shown to the IT user"
    assert not revealed(flash_cookie, match.group(1))
    user = await User.find_one({"username": "gv.cn7a2"})
    assert user is not None
    assert verify_password(user.password_hash, match.group(1))
    assert not verify_password(user.password_hash, PASSWORD)
    assert user.must_change_password is True
    assert await open_sessions("gv.cn7a2") == 0
    assert sent_to_login(await teacher.get("/admin/students/list"))
    [event] = await AuthEvent.find({"kind": AuthEventKind.PASSWORD_RESET}).to_list()
    assert event.username == "gv.cn7a2"


@pytest.mark.parametrize("username", ["bgh.ht", "gv.cn7a1", "vp.thuky"])
async def test_reset_password_is_for_the_it_group_only(school: School, username: str) -> None:
    other = await school.login(username)
    pk = str(school.ids[("users", "gv.cn7a2")])
    before = await User.get_pymongo_collection().find_one({"username": "gv.cn7a2"})
    response = await other.post(
        "/admin/_api/users/row-action",
        params={"name": "reset_password", "pk": pk},
        headers=api_headers(other),
    )
    assert response.status_code == 400
    assert await User.get_pymongo_collection().find_one({"username": "gv.cn7a2"}) == before


async def test_password_hashes_appear_nowhere(school: School) -> None:
    hashes = [
        raw["password_hash"]
        async for raw in User.get_pymongo_collection().find({}, {"password_hash": 1})
    ]
    assert all(h.startswith("$argon2") for h in hashes)
    pages: list[httpx.Response] = []
    for username in ("it.quantri", "bgh.ht", "kt.thu"):
        client = await school.login(username)
        pk = school.ids[("users", "gv.cn7a2")]
        for path in (
            "/admin/users/list",
            f"/admin/users/detail?pk={pk}",
            f"/admin/users/edit?pk={pk}",
            "/admin/users/create",
            "/admin/auth-events/list",
            f"/admin/explain?username=gv.cn7a2&record={pk}&resource=users",
        ):
            pages.append(await client.get(path))
        for fmt in ("csv", "json"):
            pages.append(
                await client.post(
                    "/admin/_api/users/action",
                    params={"name": "export", "all": "1"},
                    data={
                        "format": fmt,
                        "scope": "all",
                        "fields": ["password_hash", "password_history", "username"],
                    },
                    headers=api_headers(client),
                )
            )
    assert any(r.status_code == 200 and "gv.cn7a2" in r.text for r in pages)
    for response in pages:
        assert "$argon2" not in response.text, response.url
        assert "password_hash" not in response.text, response.url
        assert not any(h in response.text for h in hashes)


def test_flash_cookie_refuses_forged_altered_and_expired_values() -> None:
    cookie = EncryptedCookie("một khóa bí mật đủ dài cho kiểm thử", max_age=300)
    value = cookie.dumps([{"message": "Mật khẩu tạm thời: Abc123", "category": "success"}])
    assert cookie.loads(value) == [{"message": "Mật khẩu tạm thời: Abc123", "category": "success"}]
    assert "Abc123" not in value
    tampered = value[:-6] + ("A" if value[-6] != "A" else "B") + value[-5:]
    assert cookie.loads(tampered) is None
    assert EncryptedCookie("một khóa bí mật khác hẳn").loads(value) is None
    assert cookie.loads("không phải cookie") is None
    assert EncryptedCookie("một khóa bí mật đủ dài cho kiểm thử", max_age=-1).loads(value) is None
