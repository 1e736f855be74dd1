"""Default roles kept up to date on a running school.

Roles are seeded once and then belong to the IT group, so a new version's change to a default
grant does not reach a school by itself. Each change is listed here with the grant it replaces:
a role that still holds that old grant exactly (the IT group has not changed it) gets the new
one, as a stamped, logged write; a role whose grant was changed is left as it is and named in
the report, for the IT group to decide. Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.context import Actor
from app.store import system_writer
from app.store.directory import find_role
from models.common import WriteSource
from models.role import Permission

from .roles import (
    CHECK,
    GROUP_BOOKS,
    V,
    board_books_check,
    chain_permission,
    group_books_chain,
    missing_roles,
    seed_roles,
)


@dataclass(frozen=True)
class GrantChange:
    role: str  # the role's code
    old: list[Permission]  # the grants as an earlier version seeded them
    new: list[Permission]  # what replaces them
    why: str  # the reason written with the change (Vietnamese)


def grant_changes() -> list[GrantChange]:
    """Every change to a default grant since roles were first seeded, oldest first."""
    own_books = "Sổ do người kiểm tra của tổ tự nộp chuyển cho Ban giám hiệu kiểm tra"
    return [
        GrantChange(
            "bgh",
            [
                chain_permission(
                    "gradebooks", [CHECK], {"kind": "homeroom"}, "Kiểm tra sổ chủ nhiệm"
                )
            ],
            [board_books_check()],
            own_books,
        ),
        GrantChange(
            "tocm",
            [
                chain_permission(
                    "gradebooks",
                    [V, CHECK],
                    GROUP_BOOKS,
                    "Kiểm tra hoặc trả lại sổ các môn của tổ",
                )
            ],
            group_books_chain(),
            own_books,
        ),
    ]


@dataclass
class RolesUpdate:
    """What an update did (or, previewed, would do)."""

    created: list[str] = field(default_factory=list)  # role codes seeded
    updated: list[str] = field(default_factory=list)  # "role: why"
    customized: list[str] = field(default_factory=list)  # "role: why", left to the IT group

    @property
    def pending(self) -> bool:
        """Whether there is anything to create or update (a preview's question)."""
        return bool(self.created or self.updated)


def _grant(permission: Permission) -> tuple[object, ...]:
    """What a permission grants (its description aside)."""
    return (
        permission.resource,
        sorted(permission.actions),
        permission.row_filter,
        sorted(permission.read_fields),
        sorted(permission.write_fields),
    )


def _index(permissions: list[Permission], wanted: Permission) -> int | None:
    grant = _grant(wanted)
    return next((i for i, p in enumerate(permissions) if _grant(p) == grant), None)


def _replaced(permissions: list[Permission], change: GrantChange) -> list[Permission] | None:
    """The role's permissions with the change made, or None when it does not hold the old
    grants exactly."""
    places = [_index(permissions, old) for old in change.old]
    if not places or any(p is None for p in places):
        return None  # (a change replaces grants; one that only adds cannot tell a removal)
    kept = [p for i, p in enumerate(permissions) if i not in places]
    first = min(p for p in places if p is not None)
    return [*kept[:first], *change.new, *kept[first:]]


async def preview_default_roles() -> RolesUpdate:
    """What :func:`update_default_roles` would do now; nothing is written."""
    return await _update(None)


async def update_default_roles(actor: Actor) -> RolesUpdate:
    """Seed the default roles that are missing, then make every listed grant change on the
    roles that still hold the old grant."""
    return await _update(actor)


async def _update(actor: Actor | None) -> RolesUpdate:
    """The update, written by ``actor``, or only previewed (None)."""
    if actor is None:
        missing = [role.code for role in await missing_roles()]
    else:
        missing = await seed_roles(actor)
    report = RolesUpdate(created=missing)
    for change in grant_changes():
        role = await find_role(change.role)
        if role is None or role.code in report.created:
            continue
        if all(_index(role.permissions, new) is not None for new in change.new):
            continue  # already made
        permissions = _replaced(role.permissions, change)
        label = f"{role.name} ({role.code}): {change.why}"
        if permissions is None:
            report.customized.append(label)
            continue
        report.updated.append(label)
        if actor is None:
            continue
        writer = system_writer("roles", actor, source=WriteSource.SEED, reason=change.why)
        await writer.update(
            role.id,  # type: ignore[arg-type]
            {"permissions": [p.model_dump(mode="python") for p in permissions]},
            expected_version=role.version,
        )
    return report
