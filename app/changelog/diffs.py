"""What an event changed, path by path, with the old and new values."""

from __future__ import annotations

import copy
from typing import Any

from app.records.diff import diff_paths

from .audited import is_bookkeeping
from .labels import describe_path

SECRET_HEADS = ("password_hash", "password_history")
MASK = "••••••"


def get_path(doc: dict[str, Any] | None, path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[last] = value


def _unset_path(doc: dict[str, Any], path: str) -> None:
    parts = path.split(".")
    node = get_path(doc, ".".join(parts[:-1])) if len(parts) > 1 else doc
    if isinstance(node, dict):
        node.pop(parts[-1], None)


def apply_update(pre: dict[str, Any], description: dict[str, Any]) -> dict[str, Any]:
    """The document after an update event, rebuilt from the pre-image and the event itself
    (the looked-up current document may already include later changes)."""
    post = copy.deepcopy(pre)
    for path, value in (description.get("updatedFields") or {}).items():
        _set_path(post, path, value)
    for path in description.get("removedFields") or []:
        _unset_path(post, path)
    for truncated in description.get("truncatedArrays") or []:
        array = get_path(post, truncated["field"])
        if isinstance(array, list):
            del array[truncated["newSize"] :]
    return post


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
                "old": get_path(pre, path),
                "new": sets.get(path),
                "old_known": pre is not None,
            }
        )
    if secret_changed:
        changes.append(
            {
                "path": "password_hash",
                "title": "Mật khẩu",
                "old": MASK,
                "new": MASK,
                "old_known": True,
            }
        )
    return changes


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
                "new": value,
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
