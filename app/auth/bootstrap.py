"""``hocba create-admin``: the first IT (cntt) account, created from the command line (the
command itself runs in ``app.cli``, which holds the database runtime)."""

from __future__ import annotations

import argparse
import getpass
from typing import Annotated, Any, TextIO

from pydantic import TypeAdapter, ValidationError

from app.clock import utcnow
from app.context import Actor
from app.errors import Conflict, InvalidInput
from app.store import system_writer
from models.auth import AuthEventKind
from models.common import WriteSource
from models.user import User
from seed.role_updates import RolesUpdate

from .events import record_event
from .passwords import hash_password
from .policy import check_password

IT_ROLE = "cntt"
BAD_USERNAME = (
    "Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số và các dấu . _ - (từ 3 đến 50 ký tự)."
)
TAKEN = "Tên đăng nhập «{username}» đã có trong hệ thống; hãy chọn tên khác."
MISMATCH = "Hai lần nhập mật khẩu không khớp."


def cli_actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return Actor(id="cli", name=f"Dòng lệnh ({who})", role="system")


def check_new_admin(username: str, full_name: str, password: str) -> None:
    """InvalidInput with the first problem found in the account's fields or password.

    Checked against the model's own field rules, without building the document: a Beanie
    document cannot even be constructed before the database is connected.
    """
    for name, value in (("username", username), ("full_name", full_name)):
        info = User.model_fields[name]
        try:
            checked: Any = Annotated[info.annotation, *info.metadata]
            TypeAdapter(checked).validate_python(value)
        except ValidationError as exc:
            message = BAD_USERNAME if name == "username" else "Họ và tên không hợp lệ."
            raise InvalidInput(message, field=name) from exc
    problems = check_password(password, username=username)
    if problems:
        raise InvalidInput(" ".join(problems), field="password")


async def create_admin(username: str, full_name: str, password: str, *, actor: Actor) -> User:
    """Insert an active IT account whose password is already final (no forced change)."""
    check_new_admin(username, full_name, password)
    user = User(username=username, full_name=full_name, roles=[IT_ROLE], must_change_password=False)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    writer = system_writer(
        "users", actor, source=WriteSource.SYSTEM, reason="Tạo tài khoản CNTT đầu tiên"
    )
    try:
        await writer.insert(user)
    except Conflict as exc:
        raise Conflict(TAKEN.format(username=user.username)) from exc
    await record_event(
        AuthEventKind.ACCOUNT_CREATED,
        username=user.username,
        user_id=user.id,
        actor=actor,
        detail="Tài khoản CNTT tạo bằng lệnh hocba create-admin",
    )
    return user


def ask(prompt: str, given: str | None) -> str:
    """``given`` (from the command line), else what is typed at ``prompt``."""
    return given if given is not None else input(prompt)


def read_password(args: argparse.Namespace, stdin: TextIO) -> str:
    """The new password: a line of ``stdin`` (``--password-stdin``), else typed twice."""
    if args.password_stdin:
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise InvalidInput(MISMATCH)
    return first


def print_roles_update(report: RolesUpdate) -> None:
    if report.created:
        print(f"Đã tạo các vai trò mặc định: {', '.join(report.created)}.")
    for line in report.updated:
        print(f"Đã cập nhật vai trò {line}.")
    for line in report.customized:
        print(
            f"Giữ nguyên vai trò {line} — quyền này đã được chỉnh sửa nên không tự cập nhật; "
            "hãy xem lại trong trang Vai trò."
        )
    if not (report.created or report.updated or report.customized):
        print("Các vai trò mặc định đã đầy đủ và đúng phiên bản.")
