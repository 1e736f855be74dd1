"""``hocba create-admin`` creates the first IT account from the command line."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from beanie import init_beanie
from pymongo.asynchronous.database import AsyncDatabase

from app import cli
from app.auth.passwords import verify_password
from app.config import get_settings
from app.store import access_for
from models import ALL_DOCUMENTS
from models.auth import AuthEvent, AuthEventKind
from models.common import WriteSource
from models.role import Action, Role
from models.user import User
from tests.auth.helpers import SECRET, MakeUser

GOOD = "Núi Chư Yang Sin cao vút"


@pytest.fixture
async def run_cli(
    mdb: AsyncDatabase, mongo_uri: str, db_name: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[object]:
    """Run ``hocba <args>`` with ``stdin`` text, as the real entry point does, in a thread."""
    for name, value in {
        "ENV": "test",
        "SECRET_KEY": SECRET,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()

    async def run(args: list[str], stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            return await asyncio.to_thread(cli.main, args)
        finally:
            # The command initialised Beanie on its own (now closed) client: point it back.
            await init_beanie(database=mdb, document_models=ALL_DOCUMENTS)

    yield run
    get_settings.cache_clear()


ARGS = [
    "create-admin",
    "--username",
    "Cntt.Hoa",
    "--full-name",
    "Hoàng Thị Hoa",
    "--password-stdin",
]


async def test_create_admin_from_stdin(run_cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert await run_cli(ARGS, GOOD + "\n") == 0
    out = capsys.readouterr().out
    assert "Đã tạo tài khoản CNTT «cntt.hoa»" in out
    # A fresh database gets the default roles, so the first IT account can manage them.
    assert "Đã tạo các vai trò mặc định" in out
    user = await User.find_one(User.username == "cntt.hoa")
    assert user is not None
    assert (await access_for(user)).can("roles", Action.EDIT)
    assert user.roles == ["cntt"]
    assert user.active
    assert not user.must_change_password
    assert user.full_name == "Hoàng Thị Hoa"
    assert user.password_changed_at is not None
    assert verify_password(user.password_hash, GOOD)
    assert user.version == 1
    assert user.meta is not None
    assert user.meta.source is WriteSource.SYSTEM
    assert user.meta.actor_id == "cli"
    event = await AuthEvent.find_one(AuthEvent.kind == AuthEventKind.ACCOUNT_CREATED)
    assert event is not None
    assert event.username == "cntt.hoa"


async def test_existing_username_is_refused(
    run_cli,
    make_user: MakeUser,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    await make_user("cntt.hoa")
    assert await run_cli(ARGS, GOOD + "\n") == 1
    assert "Tên đăng nhập «cntt.hoa» đã có trong hệ thống" in capsys.readouterr().err
    assert await User.find(User.username == "cntt.hoa").count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("ngắn", "ít nhất 10 ký tự"),
        ("matkhau@2025", "quá phổ biến"),
        ("cntt.hoa 2025 mùa xuân", "tên đăng nhập"),
    ],
)
async def test_weak_password_is_refused(  # type: ignore[no-untyped-def]
    run_cli, capsys: pytest.CaptureFixture[str], password: str, message: str
) -> None:
    assert await run_cli(ARGS, password + "\n") == 1
    assert message in capsys.readouterr().err
    assert await User.count() == 0


async def test_bad_username_is_refused(run_cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    args = [
        "create-admin",
        "--username",
        "Nguyễn Hoa",
        "--full-name",
        "Nguyễn Hoa",
        "--password-stdin",
    ]
    assert await run_cli(args, GOOD + "\n") == 1
    assert "chữ thường không dấu" in capsys.readouterr().err


async def test_interactive_prompts(  # type: ignore[no-untyped-def]
    run_cli, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["cntt.minh", "Y Minh Niê"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    typed = iter([GOOD, GOOD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    assert await run_cli(["create-admin"]) == 0
    user = await User.find_one(User.username == "cntt.minh")
    assert user is not None
    assert user.full_name == "Y Minh Niê"

    typed = iter([GOOD, GOOD + "!"])
    answers = iter(["cntt.khac", "Ksor H'Lan"])
    assert await run_cli(["create-admin"]) == 1
    assert "không khớp" in capsys.readouterr().err


async def test_the_installed_command_in_a_fresh_process(
    mdb: AsyncDatabase, mongo_uri: str, db_name: str
) -> None:
    """The real ``hocba`` program, in its own interpreter (nothing initialised beforehand)."""
    env = {
        **os.environ,
        "ENV": "test",
        "SECRET_KEY": SECRET,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": db_name,
    }
    program = Path(sys.executable).with_name("hocba")
    command = [str(program)] if program.exists() else [sys.executable, "-m", "app.cli"]
    done = await asyncio.to_thread(
        subprocess.run,
        [*command, *ARGS],
        input=GOOD + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Đã tạo tài khoản CNTT «cntt.hoa»" in done.stdout
    assert "Warning" not in done.stderr
    raw = await mdb["users"].find_one({"username": "cntt.hoa"})
    assert raw is not None
    assert raw["roles"] == ["cntt"]
    assert verify_password(raw["password_hash"], GOOD)

    again = await asyncio.to_thread(
        subprocess.run,
        [*command, *ARGS],
        input=GOOD + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1
    assert "đã có trong hệ thống" in again.stderr


async def test_roles_update_creates_the_missing_roles_then_changes_nothing(  # type: ignore[no-untyped-def]
    run_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_cli(["roles-update"]) == 0
    assert "Đã tạo các vai trò mặc định: bgh, tocm" in capsys.readouterr().out
    assert await Role.find_one(Role.code == "cntt") is not None
    assert await run_cli(["roles-update"]) == 0
    assert "Các vai trò mặc định đã đầy đủ và đúng phiên bản." in capsys.readouterr().out
