"""Tools for the IT group: why can user U (not) act on record R, and what a rule edit changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.errors import NotFound
from app.permissions.describe import first_failure
from app.permissions.scope import MATCH_NOTHING, compute_scope
from app.permissions.substitute import MissingVariable, substitute
from models.resources import RESOURCES
from models.role import ACTION_LABELS, Action, Permission, Role
from models.rules.variables import UserContext
from models.user import User

from .collections import collection
from .handles import object_id
from .principal import principal_of


@dataclass
class Verdict:
    """One permission of one role that concerns the resource, judged against the record."""

    role: str
    role_name: str
    number: int  # 1-based, as shown in the panel
    granted: bool
    reason: str
    covers_action: bool = True  # False: the permission does not include the action at all
    readable: list[str] = field(default_factory=list)
    writable: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    allowed: bool
    summary: str
    notes: list[str] = field(default_factory=list)  # about the account and its roles
    verdicts: list[Verdict] = field(default_factory=list)
    readable: list[str] = field(default_factory=list)  # patterns that apply to this record
    writable: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [self.summary, *self.notes, *(v.reason for v in self.verdicts)]
        if self.allowed:
            lines.append("Được xem: " + (", ".join(self.readable) or "(không trường nào)"))
            lines.append("Được sửa: " + (", ".join(self.writable) or "(không trường nào)"))
        return "\n".join(lines)


def _refusal(user: str, what: str, reason: str) -> Explanation:
    return Explanation(False, f"{user} KHÔNG được {what}: {reason}")


async def explain(
    user: User | None, resource: str, record_id: Any, action: Action | str = Action.VIEW
) -> Explanation:
    """Which role and permission grant ``action`` on the record, or why none does."""
    action = Action(action)
    spec = RESOURCES.get(resource)
    if spec is None:
        raise NotFound(f"Không có loại dữ liệu «{resource}»")
    noun = "hồ sơ" if resource == "students" else "bản ghi"
    what = f"{ACTION_LABELS[action].lower()} {spec.label.lower()} {record_id}"
    if user is None or user.id is None:
        return _refusal("Người chưa đăng nhập", what, "chưa đăng nhập")
    principal = await principal_of(user.id)
    current = principal.user
    name = f"«{user.username}»"
    if current is None:
        return _refusal(name, what, "tài khoản không còn tồn tại")
    if not current.active:
        return _refusal(name, what, "tài khoản đang bị khóa")
    if not current.roles:
        return _refusal(name, what, "tài khoản chưa được gán vai trò nào")
    # The IT group asks about any record: the lookup is deliberately not scoped to the asker.
    record = await collection(resource).find_one({"_id": object_id(record_id)})
    if record is None:
        return _refusal(name, what, f"không tìm thấy {noun} này")
    what = f"{ACTION_LABELS[action].lower()} {spec.label.lower()} {record_name(record)}"
    ctx, roles = principal.ctx, list(principal.roles)
    result = Explanation(False, "")
    _role_notes(result, current.roles, roles)
    for role in roles:
        if role.active:
            result.verdicts.extend(_judge(role, ctx, resource, action, record, noun))
    scope = compute_scope(ctx, roles, resource, action)
    grants = scope.grants_for(record)
    result.allowed = bool(grants)
    if grants:
        by = ", ".join(
            dict.fromkeys(f"«{g.role_name}» ({g.role}) quyền số {g.index + 1}" for g in grants)
        )
        result.summary = f"{name} ĐƯỢC {what} nhờ {by}."
        result.readable = list(scope.fields_for(record, "read").patterns)
        result.writable = list(scope.fields_for(record, "write").patterns)
    elif not any(v.covers_action for v in result.verdicts):
        label = ACTION_LABELS[action]
        result.summary = (
            f"{name} KHÔNG được {what}: không vai trò nào của tài khoản cấp quyền «{label}» "
            f"trên «{spec.label}»."
        )
    else:
        result.summary = f"{name} KHÔNG được {what}: không quyền nào có bộ lọc khớp {noun} này."
    return result


def record_name(record: dict[str, Any]) -> str:
    """How people name a record: «Nguyễn Văn An (HS7A101)», «gv.lan», «7A1 (2025-2026)»;
    its id when it has no name."""
    profile = record.get("profile")
    name = (
        (profile.get("full_name") if isinstance(profile, dict) else None)
        or record.get("full_name")
        or record.get("name")
    )
    key = record.get("code") or record.get("username") or record.get("school_year")
    if name and key and name != key:
        return f"«{name} ({key})»"
    if name or key:
        return f"«{name or key}»"
    return str(record.get("_id", ""))


def _role_notes(result: Explanation, codes: list[str], roles: list[Role]) -> None:
    found = {r.code: r for r in roles}
    for code in codes:
        role = found.get(code)
        if role is None:
            result.notes.append(
                f"Vai trò «{code}» không tồn tại hoặc không hợp lệ nên không cấp quyền gì."
            )
        elif not role.active:
            result.notes.append(f"Vai trò «{role.name}» ({code}) đang tắt nên không cấp quyền gì.")


def _judge(
    role: Role, ctx: UserContext, resource: str, action: Action, record: dict[str, Any], noun: str
) -> list[Verdict]:
    verdicts = []
    for index, permission in enumerate(role.permissions):
        if permission.resource != resource:
            continue
        head = f"Vai trò «{role.name}» ({role.code}), quyền số {index + 1}"
        verdict = Verdict(
            role=role.code,
            role_name=role.name,
            number=index + 1,
            granted=False,
            reason="",
            readable=list(permission.read_fields),
            writable=list(permission.write_fields),
        )
        if action not in permission.actions:
            actions = ", ".join(ACTION_LABELS[a] for a in permission.actions)
            verdict.covers_action = False
            verdict.reason = f"{head}: chỉ cho phép {actions}, không gồm «{ACTION_LABELS[action]}»."
        else:
            try:
                failure = first_failure(record, substitute(permission.row_filter, ctx), noun)
            except MissingVariable as exc:
                failure = f"Biến {exc.variable} chưa có giá trị với tài khoản này"
            verdict.granted = failure is None
            verdict.reason = (
                f"{head}: bộ lọc khớp, cho phép." if failure is None else f"{head}: {failure}."
            )
        verdicts.append(verdict)
    return verdicts


@dataclass(frozen=True)
class ImpactRow:
    """What a role edit changes for one user on ``resource``: how many records they could
    see before and after, and how many of those are new to them or taken away (a change
    can swap records without changing the total)."""

    username: str
    full_name: str
    resource: str
    before: int
    after: int
    added: int = 0
    removed: int = 0

    @property
    def delta(self) -> int:
        return self.after - self.before

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def describe(self) -> str:
        label = RESOURCES[self.resource].label
        return (
            f"{self.full_name} ({self.username}) – {label}: {self.before} → {self.after} "
            f"(thêm {self.added}, bớt {self.removed})"
        )


async def impact(
    role_code: str, new_permissions: list[Permission], action: Action | str = Action.VIEW
) -> list[ImpactRow]:
    """For each active user holding ``role_code``: records visible now and with the new
    permissions, for ``students`` and for every resource the role's rules concern."""
    action = Action(action)
    stored = await collection("roles").find_one({"code": role_code})
    old = Role.model_validate(stored) if stored is not None else None
    new = (
        old.model_copy(update={"permissions": list(new_permissions)})
        if old is not None
        else Role(code=role_code, name=role_code, permissions=list(new_permissions))
    )
    concerned = [
        "students",
        *sorted(
            {p.resource for p in [*(old.permissions if old else []), *new_permissions]}
            - {"students"}
        ),
    ]
    rows: list[ImpactRow] = []
    holders = collection("users").find({"roles": role_code, "active": True}, {"_id": 1})
    async for raw in holders:
        principal = await principal_of(raw["_id"])
        user = principal.user
        if user is None:
            continue
        ctx, roles = principal.ctx, list(principal.roles)
        after_roles = [r for r in roles if r.code != role_code] + [new]
        for resource in concerned:
            old_filter = compute_scope(ctx, roles, resource, action).filter
            new_filter = compute_scope(ctx, after_roles, resource, action).filter
            counts = [
                await _count(resource, query)
                for query in (
                    old_filter,
                    new_filter,
                    _minus(new_filter, old_filter),
                    _minus(old_filter, new_filter),
                )
            ]
            rows.append(ImpactRow(user.username, user.full_name, resource, *counts))
    return rows


def _minus(query: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Records ``query`` matches and ``other`` does not."""
    if not other:  # other matches everything
        return MATCH_NOTHING
    if query == MATCH_NOTHING or other == MATCH_NOTHING:
        return query
    excluded = {"$nor": [other]}
    return {"$and": [query, excluded]} if query else excluded


async def _count(resource: str, query: dict[str, Any]) -> int:
    if query == MATCH_NOTHING:
        return 0
    counted: int = await collection(resource).count_documents(query)
    return counted


async def find_record_id(resource: str, target: str) -> Any:
    """A record named by id, or for pupils by school pupil code (None when there is none)."""
    if not target or resource not in RESOURCES:
        return None
    coll = collection(resource)
    if resource == "students":
        raw = await coll.find_one({"code": target}, {"_id": 1})
        if raw is not None:
            return raw["_id"]
    oid = object_id(target)
    if oid is None:
        return None
    raw = await coll.find_one({"_id": oid}, {"_id": 1})
    return raw["_id"] if raw is not None else None
