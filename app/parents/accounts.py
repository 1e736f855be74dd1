"""Parents' accounts, created and reset by the staff who may edit a pupil's guardians.

Who may: whoever may write ``profile.guardians`` of the pupil under their own edit scope (the
office for every pupil, a homeroom teacher for their class), so the rule stays in the roles'
data. The account itself is written by the system on their behalf (staff hold no rights on
accounts), stamped with their name; a one-time password goes onto a printed slip and must be
changed at the first sign-in, like a staff account's.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from pydantic import ValidationError

from app.auth.events import record_event
from app.auth.passwords import hash_password
from app.auth.policy import fold
from app.auth.service import generate_temporary_password, set_password
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.store import Access, Found, system_writer
from app.store.directory import find_user, find_user_by_id, parent_accounts
from app.validation_vi import messages_by_field
from models.auth import AuthEventKind
from models.common import WriteSource
from models.role import Action
from models.student_parts import Guardian
from models.user import AccountKind, User

log = logging.getLogger(__name__)

PARENT_ROLE = "phuhuynh"
USERNAME_PREFIX = "ph."
PUPIL_NOT_FOUND = "Không tìm thấy hồ sơ học sinh"
NOT_ALLOWED = "Bạn không được quản lý tài khoản phụ huynh của học sinh này"
PREVIEW = "Chế độ xem thử chỉ đọc: không tạo hay đổi được tài khoản"
NO_GUARDIAN = "Không tìm thấy người giám hộ này trong hồ sơ; hãy tải lại trang"
NO_PARENT_ACCOUNT = "Không có tài khoản phụ huynh nào có tên đăng nhập «{name}»"
ALREADY_LINKED = "Tài khoản «{name}» đã được liên kết với học sinh này"
NOT_LINKED = "Tài khoản này không được liên kết với học sinh này"
NAME_REQUIRED = "Hãy nhập tên đăng nhập của tài khoản phụ huynh đã có"


@dataclass(frozen=True)
class Pupil:
    id: str
    name: str
    code: str
    class_name: str
    school_year: str


@dataclass(frozen=True)
class Slip:
    """What the printed slip tells the parent (shown once: the password is not kept)."""

    full_name: str
    username: str
    password: str
    pupils: list[Pupil] = field(default_factory=list)


def pupil_of(found: Found) -> Pupil:
    visible = found.visible
    current = visible.get("current") or {}
    return Pupil(
        id=str(found.id),
        name=(visible.get("profile") or {}).get("full_name", ""),
        code=visible.get("code", ""),
        class_name=current.get("class_name", ""),
        school_year=current.get("school_year", ""),
    )


def may_manage(access: Access, stored: dict) -> bool:
    """Whether this user may create, link or reset parents' accounts of this pupil."""
    if access.read_only:
        return False
    scope = access.scope("students", Action.EDIT)
    return scope.allowed and scope.fields_for(stored, "write").allows("profile.guardians")


async def managed_pupil(access: Access, student_id: str) -> Found:
    """The pupil, found within the user's edit scope, whose guardians they may manage."""
    if access.read_only:
        raise Forbidden(PREVIEW)
    found = await access.students(Action.EDIT).get_or_404(student_id, PUPIL_NOT_FOUND)
    if not may_manage(access, found.stored):
        raise Forbidden(NOT_ALLOWED)
    return found


def username_base(full_name: str) -> str:
    """ "Nguyễn Thị Bình" -> "ph.binhnt": the given name, then the initials of the rest."""
    words = [fold(w) for w in full_name.split()]
    words = ["".join(c for c in w if c.isascii() and c.isalnum()) for w in words]
    words = [w for w in words if w]
    if not words:
        return USERNAME_PREFIX + "phuhuynh"
    return USERNAME_PREFIX + words[-1] + "".join(w[0] for w in words[:-1])


async def free_username(full_name: str) -> str:
    """The first sign-in name not taken: ph.binhnt, ph.binhnt2, ph.binhnt3…"""
    base = username_base(full_name)[:45]
    number = 1
    while await find_user(base if number == 1 else f"{base}{number}") is not None:
        number += 1
    return base if number == 1 else f"{base}{number}"


@dataclass(frozen=True)
class NewAccount:
    """What the account form starts from: the guardian entry and the sign-in name to come."""

    pupil: Pupil
    guardian_index: int
    relation: str
    full_name: str
    phone: str
    username: str


async def new_account(access: Access, student_id: str, guardian_index: int) -> NewAccount:
    """The account form prefilled from one guardian entry of the pupil."""
    found = await managed_pupil(access, student_id)
    guardian = _guardian(found, guardian_index)
    return NewAccount(
        pupil_of(found),
        guardian_index,
        guardian.get("relation", ""),
        guardian.get("full_name", ""),
        guardian.get("phone") or "",
        await free_username(guardian.get("full_name", "")),
    )


def _guardian(found: Found, index: int) -> dict[str, Any]:
    guardians = (found.visible.get("profile") or {}).get("guardians") or []
    if not 0 <= index < len(guardians):
        raise NotFound(NO_GUARDIAN)
    guardian: dict[str, Any] = guardians[index]
    return guardian


def checked_contact(full_name: str, phone: str) -> tuple[str, str | None]:
    """The name and phone as typed, checked by the guardian entry's own rules."""
    try:
        entry = Guardian.model_validate(
            {"relation": "giam_ho", "full_name": full_name, "phone": phone or None}
        )
    except ValidationError as exc:
        path, message = next(iter(messages_by_field(exc).items()))
        label = "Họ và tên" if path == "full_name" else "Số điện thoại"
        raise InvalidInput(f"{label}: {message}", field=path) from exc
    return entry.full_name, entry.phone


async def create_parent_account(
    access: Access,
    student_id: str,
    guardian_index: int,
    *,
    full_name: str | None = None,
    phone: str | None = None,
) -> Slip:
    """A new parent's account for one guardian entry of the pupil, linked to the pupil; the
    name and phone default to the entry's (the form may correct them)."""
    found = await managed_pupil(access, student_id)
    guardian = _guardian(found, guardian_index)
    name, contact = checked_contact(
        guardian.get("full_name", "") if full_name is None else full_name,
        (guardian.get("phone") or "") if phone is None else phone,
    )
    pupil = pupil_of(found)
    password = generate_temporary_password()
    password_hash = await asyncio.to_thread(hash_password, password)
    writer = system_writer(
        "users",
        access.actor(),
        source=WriteSource.ADMIN,
        reason=f"Tạo tài khoản phụ huynh của học sinh {pupil.name} ({pupil.code})",
    )
    for _ in range(5):  # another account may take the same name meanwhile
        account = User(
            username=await free_username(name),
            full_name=name,
            phone=contact,
            roles=[PARENT_ROLE],
            kind=AccountKind.PARENT,
            children=[pupil.id],
            password_hash=password_hash,
            must_change_password=True,
        )
        try:
            await writer.insert(account)
        except Conflict:
            continue
        break
    else:
        raise Conflict("Không tạo được tên đăng nhập; vui lòng thử lại")
    await record_event(
        AuthEventKind.ACCOUNT_CREATED,
        username=account.username,
        user_id=account.id,
        actor=access.actor(),
        detail=f"Tài khoản phụ huynh của học sinh {pupil.name} ({pupil.code})",
    )
    log.info("parent account %s created for pupil %s", account.username, pupil.id)
    return Slip(account.full_name, account.username, password, [pupil])


async def linked_parent(access: Access, student_id: str, account_id: str) -> tuple[Found, User]:
    found = await managed_pupil(access, student_id)
    account = await find_user_by_id(ObjectId(account_id)) if ObjectId.is_valid(account_id) else None
    if account is None or not account.is_parent or str(found.id) not in account.children:
        raise NotFound(NOT_LINKED)
    return found, account


async def link_parent_account(access: Access, student_id: str, username: str) -> User:
    """Link an existing parent's account (a sibling's) to this pupil as well."""
    found = await managed_pupil(access, student_id)
    name = username.strip().lower()
    if not name:
        raise InvalidInput(NAME_REQUIRED, field="username")
    account = await find_user(name)
    if account is None or not account.is_parent:
        raise NotFound(NO_PARENT_ACCOUNT.format(name=name))
    pupil = pupil_of(found)
    if pupil.id in account.children:
        raise InvalidInput(ALREADY_LINKED.format(name=name), field="username")
    writer = system_writer(
        "users",
        access.actor(),
        source=WriteSource.ADMIN,
        reason=f"Liên kết tài khoản phụ huynh với học sinh {pupil.name} ({pupil.code})",
    )
    assert account.id is not None
    updated: User = await writer.update(
        account.id, {"children": [*account.children, pupil.id]}, expected_version=account.version
    )
    log.info("parent account %s linked to pupil %s", account.username, pupil.id)
    return updated


async def unlink_parent_account(access: Access, student_id: str, account_id: str) -> User:
    """Stop an account following this pupil (e.g. linked by mistake); the account stays."""
    found, account = await linked_parent(access, student_id, account_id)
    pupil = pupil_of(found)
    writer = system_writer(
        "users",
        access.actor(),
        source=WriteSource.ADMIN,
        reason=f"Bỏ liên kết tài khoản phụ huynh với học sinh {pupil.name} ({pupil.code})",
    )
    assert account.id is not None
    children = [c for c in account.children if c != pupil.id]
    updated: User = await writer.update(
        account.id, {"children": children}, expected_version=account.version
    )
    return updated


async def reset_parent_password(access: Access, student_id: str, account_id: str) -> Slip:
    """A new one-time password for a parent's account of this pupil (a new slip); every
    session of the account ends."""
    found, account = await linked_parent(access, student_id, account_id)
    password = generate_temporary_password()
    await set_password(account, password, by_admin=True, actor=access.actor())
    return Slip(account.full_name, account.username, password, [pupil_of(found)])


async def accounts_of(student_id: str) -> list[User]:
    """The parents' accounts that follow this pupil."""
    return await parent_accounts(student_id)
