"""What an event changed, path by path, with the old and new values."""

from __future__ import annotations

from typing import Any

from app.records.diff import diff_paths, get_path
from models.labels import describe_path

from .audited import MASK, is_bookkeeping, masked

SECRET_HEADS = ("password_hash", "password_history")


def field_changes(
    collection: str, pre: dict[str, Any] | None, post: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Leaf-level old → new for everything but bookkeeping; secrets appear only masked."""
    sets, unsets = diff_paths(pre or {}, post or {})
    paths = sorted(set(sets) | set(unsets))
    changes: list[dict[str, Any]] = []
    secret_changed = False
    for path in paths:
        if path.split(".", 1)[0] in SECRET_HEADS:
            secret_changed = True
            continue
        if is_bookkeeping(path):
            continue
        changes.append(
            {
                "path": path,
                "title": describe_path(collection, path),
                "old": masked(get_path(pre, path)),
                "new": masked(sets.get(path)),
                "old_known": pre is not None,
            }
        )
    if secret_changed:
        changes.append(_password_changed())
    return changes


def _password_changed() -> dict[str, Any]:
    """A password change, logged without its values."""
    return {
        "path": "password_hash",
        "title": "Mật khẩu",
        "old": MASK,
        "new": MASK,
        "old_known": True,
    }


def changes_from_description(
    collection: str, pre: dict[str, Any], description: dict[str, Any]
) -> list[dict[str, Any]]:
    """Old → new for the paths an update event names, looking only at those subtrees (a pupil's
    record is large; walking all of it per event would dominate the worker's time)."""
    sets: dict[str, Any] = {}
    unsets: list[str] = []
    for path, new in (description.get("updatedFields") or {}).items():
        old = get_path(pre, path)
        if isinstance(old, dict) and isinstance(new, dict):
            inner_sets, inner_unsets = diff_paths(old, new)
            sets.update({f"{path}.{k}": v for k, v in inner_sets.items()})
            unsets.extend(f"{path}.{k}" for k in inner_unsets)
        else:
            sets[path] = new
    unsets.extend(description.get("removedFields") or [])
    for truncated in description.get("truncatedArrays") or []:
        field, size = truncated["field"], truncated["newSize"]
        old = get_path(pre, field)
        if isinstance(old, list):
            sets[field] = old[:size]
    changes: list[dict[str, Any]] = []
    secret_changed = False
    for path in sorted(set(sets) | set(unsets)):
        if path.split(".", 1)[0] in SECRET_HEADS:
            secret_changed = True
            continue
        if is_bookkeeping(path):
            continue
        old = get_path(pre, path)
        new = sets.get(path)
        if type(old) is type(new) and old == new:
            continue
        changes.append(
            {
                "path": path,
                "title": describe_path(collection, path),
                "old": masked(old),
                "new": masked(new),
                "old_known": True,
            }
        )
    if secret_changed:
        changes.append(_password_changed())
    return changes


def stamp_after(pre: dict[str, Any], description: dict[str, Any]) -> dict[str, Any]:
    """``version`` and ``meta`` after an update, from the pre-image and the event alone."""
    after: dict[str, Any] = {"version": pre.get("version"), "meta": dict(pre.get("meta") or {})}
    for path, value in (description.get("updatedFields") or {}).items():
        head, _, rest = path.partition(".")
        if head == "version" and not rest:
            after["version"] = value
        elif head == "meta" and not rest:
            after["meta"] = dict(value or {})
        elif head == "meta":
            after["meta"][rest] = value
    for path in description.get("removedFields") or []:
        head, _, rest = path.partition(".")
        if head == "meta":
            if rest:
                after["meta"].pop(rest, None)
            else:
                after["meta"] = {}
        elif head == "version":
            after["version"] = None
    return after


def changes_without_pre_image(collection: str, description: dict[str, Any]) -> list[dict]:
    """Best effort when the database kept no pre-image: new values only."""
    changes = []
    for path, value in sorted((description.get("updatedFields") or {}).items()):
        if is_bookkeeping(path) or path.split(".", 1)[0] in SECRET_HEADS:
            continue
        changes.append(
            {
                "path": path,
                "title": describe_path(collection, path),
                "old": None,
                "new": masked(value),
                "old_known": False,
            }
        )
    for path in description.get("removedFields") or []:
        if not is_bookkeeping(path):
            changes.append(
                {
                    "path": path,
                    "title": describe_path(collection, path),
                    "old": None,
                    "new": None,
                    "old_known": False,
                }
            )
    return changes
