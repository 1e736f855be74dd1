"""Leaf-level differences between two stored versions of a document."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


def diff_paths(
    old: dict[str, Any], new: dict[str, Any], *, ignore: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], list[str]]:
    """(``$set`` paths -> new values, ``$unset`` paths) turning ``old`` into ``new``.

    Sub-documents are compared key by key so every change has its own readable path
    (``years.2025-2026.subjects.TOAN.hk1.gk``); arrays are replaced whole.
    """
    sets: dict[str, Any] = {}
    unsets: list[str] = []
    _walk(old, new, "", sets, unsets, ignore)
    return sets, unsets


def diff_at(
    old: dict[str, Any],
    new: dict[str, Any],
    paths: Iterable[str],
    *,
    encode: Callable[[Any], Any] = lambda value: value,
) -> tuple[dict[str, Any], list[str]]:
    """What ``diff_paths(old, new)`` answers inside the subtrees at ``paths`` only (for a
    change known to touch nothing else): each path is cut where ``old`` and ``new`` stop being
    both mappings (a list, a new branch, a removed one is set or unset whole, as
    ``diff_paths`` does); ``new``'s values pass through ``encode`` before they are compared."""
    anchors: dict[str, tuple[Any, Any]] = {}  # anchor -> (old's value there, new's)
    for path in paths:
        anchor, before, after = _anchor(old, new, path)
        anchors[anchor] = (before, after)
    sets: dict[str, Any] = {}
    unsets: list[str] = []
    for anchor in sorted(anchors):
        if _inside(anchor, anchors):
            continue  # compared with the anchor it lies in
        before, after = anchors[anchor]
        # As diff_paths({"": before}, {"": after}) answers, prefixed with the anchor.
        if after is _ABSENT:
            if before is not _ABSENT:
                unsets.append(anchor)
            continue
        after = encode(after)
        if before is _ABSENT:
            sets[anchor] = after
        elif isinstance(after, dict) and isinstance(before, dict):
            _walk(before, after, anchor + ".", sets, unsets, frozenset())
        elif not _same(before, after):
            sets[anchor] = after
    return sets, unsets


_ABSENT: Any = object()


def _anchor(old: dict[str, Any], new: dict[str, Any], path: str) -> tuple[str, Any, Any]:
    """Where ``path`` is cut (see ``diff_at``), with what ``old`` and ``new`` hold there
    (``_ABSENT``: nothing)."""
    parts = path.split(".")
    before: Any = old
    after: Any = new
    for i, part in enumerate(parts):
        if not (isinstance(before, dict) and isinstance(after, dict)):
            return ".".join(parts[:i]), before, after
        if part not in before or part not in after:
            return ".".join(parts[: i + 1]), before.get(part, _ABSENT), after.get(part, _ABSENT)
        before, after = before[part], after[part]
    return path, before, after


def _inside(anchor: str, anchors: Mapping[str, Any]) -> bool:
    """Whether ``anchor`` lies below another of ``anchors``."""
    dot = anchor.find(".")
    while dot != -1:
        if anchor[:dot] in anchors:
            return True
        dot = anchor.find(".", dot + 1)
    return False


def get_path(doc: dict[str, Any] | None, path: str) -> Any:
    """The value at a dotted path (list positions included), or None."""
    node: Any = doc
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _walk(
    old: dict[str, Any],
    new: dict[str, Any],
    prefix: str,
    sets: dict[str, Any],
    unsets: list[str],
    ignore: frozenset[str],
) -> None:
    for key, value in new.items():
        path = prefix + key
        if path in ignore:
            continue
        if key not in old:
            sets[path] = value
        elif isinstance(value, dict) and isinstance(old[key], dict):
            _walk(old[key], value, path + ".", sets, unsets, ignore)
        elif not _same(old[key], value):
            sets[path] = value
    if not old.keys() <= new.keys():
        unsets.extend(prefix + key for key in old if key not in new and prefix + key not in ignore)


def _same(a: Any, b: Any) -> bool:
    kind = type(a)
    if kind is type(b) and kind is not list and kind is not dict:
        return bool(a == b)  # the common case: two scores, two texts, two flags
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)
