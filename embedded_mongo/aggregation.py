"""Aggregation stages patched where mongomock-ng answers differently from MongoDB.

* Every stage handler gets its input as a list. mongomock-ng hands a ``$lookup`` sub-pipeline's
  first stage a generator; a ``$lookup`` there consumed it and returned it spent, so a lookup
  nested in the pipeline of a ``localField``/``foreignField`` lookup found nothing.
* ``$group`` over no documents outputs no documents (mongomock-ng made one group of ``null``).
* ``$project`` with a dotted path computing a value (``{"a.b": "$x"}``) sets the embedded field
  ``b`` of ``a``, as ``{"a": {"b": "$x"}}`` does, and any non-zero number includes the field;
  mongomock-ng created a field named "a.b" (holding the number).

``install()`` is idempotent and is called by ``store.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mongomock_ng import aggregate as mm_aggregate

Handler = Callable[[Any, Any, Any, Any], Any]
_original: dict[str, Handler] = {}


def _listed(stage: str, handler: Handler) -> Handler:
    def run(in_collection: Any, database: Any, options: Any, user_vars: Any) -> Any:
        docs = in_collection if isinstance(in_collection, list) else list(in_collection)
        if stage == "$group" and not docs:
            return []
        if stage == "$project" and isinstance(options, Mapping):
            options = nest_computed_paths(options)
        return handler(docs, database, options, user_vars)

    run.__wrapped__ = handler  # type: ignore[attr-defined]
    return run


def _is_flag(value: Any) -> bool:
    return isinstance(value, (bool, int, float)) and not isinstance(value, Mapping)


def nest_computed_paths(spec: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b": <expression>}`` → ``{"a": {"b": <expression>}}``. A number or boolean is an
    inclusion (non-zero, true) or exclusion flag, as MongoDB reads it, whatever its value."""
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if _is_flag(value):
            out[key] = 1 if value else 0
            continue
        if not isinstance(key, str) or "." not in key:
            out[key] = value
            continue
        head, *rest = key.split(".")
        node = out.setdefault(head, {})
        if not isinstance(node, dict):
            out[key] = value  # conflicting paths: let the backend report it
            continue
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node[rest[-1]] = value
    return out


def install() -> None:
    handlers = mm_aggregate._PIPELINE_HANDLERS
    for stage, handler in list(handlers.items()):
        if handler is None:
            continue
        original = _original.setdefault(stage, getattr(handler, "__wrapped__", handler))
        handlers[stage] = _listed(stage, original)
