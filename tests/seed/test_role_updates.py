"""The default roles on a running school: created when missing, and a default grant changed by
a new version updated where the IT group left it as seeded, never where they changed it."""

from __future__ import annotations

from typing import Any

from app.context import SYSTEM_ACTOR
from app.store import system_writer
from models.common import WriteSource
from models.role import Role
from seed.role_updates import (
    _grant,
    grant_changes,
    preview_default_roles,
    update_default_roles,
)
from seed.roles import default_roles


def _defaults() -> dict[str, Role]:
    return {role.code: role for role in default_roles()}


async def _stored(code: str) -> Role:
    role = await Role.find_one(Role.code == code)
    assert role is not None
    return role


async def as_seeded_before(code: str, **edits: Any) -> None:
    """Give the stored role the grants an earlier version seeded (``edits``: what the IT group
    changed in the old grant)."""
    change = next(c for c in grant_changes() if c.role == code)
    role = await _stored(code)
    current = [_grant(p) for p in change.new]
    kept = [p for p in role.permissions if _grant(p) not in current]
    old = [p.model_copy(update=edits) for p in change.old]
    writer = system_writer("roles", SYSTEM_ACTOR, source=WriteSource.SEED, reason="Phiên bản cũ")
    await writer.update(
        role.id,  # type: ignore[arg-type]
        {"permissions": [p.model_dump(mode="python") for p in [*kept, *old]]},
    )


def _grants(role: Role) -> list[tuple[object, ...]]:
    return sorted((_grant(p) for p in role.permissions), key=repr)


async def test_missing_roles_are_created_and_a_second_run_changes_nothing(mdb) -> None:
    report = await update_default_roles(SYSTEM_ACTOR)
    assert sorted(report.created) == sorted(_defaults())
    assert report.updated == report.customized == []
    again = await update_default_roles(SYSTEM_ACTOR)
    assert again.created == again.updated == again.customized == []


async def test_unchanged_old_grants_are_updated_once(mdb) -> None:
    await update_default_roles(SYSTEM_ACTOR)
    for code in ("bgh", "tocm"):
        await as_seeded_before(code)
        assert _grants(await _stored(code)) != _grants(_defaults()[code])
    before = (await _stored("tocm")).version

    report = await update_default_roles(SYSTEM_ACTOR)
    defaults = _defaults()
    assert [line.split(" (")[0] for line in report.updated] == [
        defaults["bgh"].name,
        defaults["tocm"].name,
    ]
    assert report.customized == []
    for code in ("bgh", "tocm"):
        assert _grants(await _stored(code)) == _grants(defaults[code])
    tocm = await _stored("tocm")
    assert tocm.version == before + 1
    assert tocm.meta is not None
    assert tocm.meta.reason == grant_changes()[1].why

    again = await update_default_roles(SYSTEM_ACTOR)
    assert again.updated == again.customized == []
    assert (await _stored("tocm")).version == before + 1


async def test_a_grant_the_it_group_changed_is_left_and_reported(mdb) -> None:
    await update_default_roles(SYSTEM_ACTOR)
    await as_seeded_before("tocm", row_filter={"kind": "subject"})
    changed = _grants(await _stored("tocm"))

    report = await update_default_roles(SYSTEM_ACTOR)
    assert report.updated == []
    assert len(report.customized) == 1
    assert report.customized[0].startswith(f"{_defaults()['tocm'].name} (tocm)")
    assert _grants(await _stored("tocm")) == changed


async def test_a_preview_writes_nothing(mdb) -> None:
    preview = await preview_default_roles()
    assert sorted(preview.created) == sorted(_defaults())
    assert await Role.count() == 0
    await update_default_roles(SYSTEM_ACTOR)
    await as_seeded_before("bgh")
    version = (await _stored("bgh")).version
    preview = await preview_default_roles()
    assert preview.pending
    assert [line.split(" (")[0] for line in preview.updated] == [_defaults()["bgh"].name]
    assert (await _stored("bgh")).version == version
