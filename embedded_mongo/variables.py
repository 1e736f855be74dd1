"""Aggregation variables: ``let`` on commands, and ``$$name`` references checked as MongoDB
checks them.

mongomock-ng reads an unknown ``$$name`` as a missing value, so a ``let`` it never saw, or a
misspelt variable, quietly matched nothing (or everything, under ``$ne``). Here a command's
``let`` values are bound into its filter, pipeline or update pipeline as ``$literal``s, in the
places where MongoDB evaluates expressions (``$expr`` in filters, pipeline stages), and a
reference to a variable that nothing defines is refused with MongoDB's error (code 17276).
Names bound inside the request (``$let``, ``$map``/``$filter``/``$reduce``, ``$lookup``'s own
``let``) are left to the backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bson import Decimal128, ObjectId
from mongomock_ng import helpers
from mongomock_ng.aggregate import _parse_expression

from .errors import CommandError, not_supported

# System variables the backend evaluates itself.
BACKEND_VARIABLES = {"ROOT", "CURRENT", "REMOVE", "DESCEND", "PRUNE", "KEEP"}
REFUSED_VARIABLES = {"CLUSTER_TIME", "USER_ROLES", "SEARCH_META"}

Variables = Mapping[str, Any]


def evaluate_let(let: Any) -> dict[str, Any]:
    """The values of a command's ``let`` document (constant expressions, ``$$NOW``...)."""
    if let is None:
        return {}
    if not isinstance(let, Mapping):
        raise CommandError(14, "BSON field 'let' is the wrong type, expected type 'object'")
    values: dict[str, Any] = {}
    for name, expr in let.items():
        if not isinstance(name, str) or not name or not (name[0].islower() or ord(name[0]) > 127):
            raise CommandError(
                16866, f"'{name}' starts with an invalid character for a user variable name"
            )
        bound = bind_expression(expr, values, frozenset())
        values[name] = _parse_expression(bound, {}, user_vars={})
    return values


def bind_filter(spec: Any, variables: Variables, bound: frozenset[str] = frozenset()) -> Any:
    """A query filter with its ``$expr`` parts bound (the filter itself when it has none)."""
    if not _binds(spec):
        return spec
    return _bound_filter(spec, variables, bound)


def _binds(spec: Any) -> bool:
    """Whether binding changes anything in ``spec``: an ``$expr`` somewhere, or a mapping
    other than a plain dict (a bound filter is made of plain dicts)."""
    kind = type(spec)
    if kind is dict:
        if "$expr" in spec:
            return True
        for value in spec.values():
            if type(value) in _SCALARS:
                continue
            if _binds(value):
                return True
        return False
    if kind is list:
        for item in spec:
            if type(item) in _SCALARS:
                continue
            if _binds(item):
                return True
        return False
    return isinstance(spec, (Mapping, list))


# Values that are neither mappings nor lists (most of a filter).
_SCALARS = frozenset({str, int, float, bool, type(None), bytes, datetime, ObjectId, Decimal128})


def _bound_filter(spec: Any, variables: Variables, bound: frozenset[str]) -> Any:
    if isinstance(spec, Mapping):
        return {
            key: bind_expression(value, variables, bound)
            if key == "$expr"
            else _bound_filter(value, variables, bound)
            for key, value in spec.items()
        }
    if isinstance(spec, list):
        return [_bound_filter(item, variables, bound) for item in spec]
    return spec


def bind_pipeline(pipeline: Any, variables: Variables, bound: frozenset[str] = frozenset()) -> Any:
    if not isinstance(pipeline, list):
        return pipeline
    return [_bind_stage(stage, variables, bound) for stage in pipeline]


def _bind_stage(stage: Any, variables: Variables, bound: frozenset[str]) -> Any:
    if not isinstance(stage, Mapping) or len(stage) != 1:
        return stage
    ((name, options),) = stage.items()
    if name == "$match":
        return {name: bind_filter(options, variables, bound)}
    if name == "$lookup" and isinstance(options, Mapping):
        own = options.get("let")
        own_names = frozenset(own) if isinstance(own, Mapping) else frozenset()
        inner = {k: v for k, v in variables.items() if k not in own_names}
        bound_options = dict(options)
        if isinstance(own, Mapping):
            bound_options["let"] = {k: bind_expression(v, variables, bound) for k, v in own.items()}
        if "pipeline" in options:
            bound_options["pipeline"] = bind_pipeline(options["pipeline"], inner, bound | own_names)
        return {name: bound_options}
    if name == "$unionWith" and isinstance(options, Mapping) and "pipeline" in options:
        return {name: {**options, "pipeline": bind_pipeline(options["pipeline"], variables, bound)}}
    if name == "$facet" and isinstance(options, Mapping):
        return {name: {k: bind_pipeline(v, variables, bound) for k, v in options.items()}}
    return {name: bind_expression(options, variables, bound)}


def bind_expression(expr: Any, variables: Variables, bound: frozenset[str]) -> Any:
    """An aggregation expression with ``$$name`` replaced by the command's values."""
    if isinstance(expr, str):
        return _bind_reference(expr, variables, bound) if expr.startswith("$$") else expr
    if isinstance(expr, list):
        return [bind_expression(item, variables, bound) for item in expr]
    if not isinstance(expr, Mapping):
        return expr
    if "$literal" in expr:
        return expr
    if len(expr) == 1:
        ((operator, args),) = expr.items()
        scoped = _bind_scoped(operator, args, variables, bound)
        if scoped is not None:
            return {operator: scoped}
    return {key: bind_expression(value, variables, bound) for key, value in expr.items()}


def _bind_scoped(
    operator: str, args: Any, variables: Variables, bound: frozenset[str]
) -> dict[str, Any] | None:
    """Operators that define variables of their own; None for any other operator."""
    if not isinstance(args, Mapping):
        return None
    if operator == "$let" and isinstance(args.get("vars"), Mapping):
        names = frozenset(args["vars"])
        out = {k: bind_expression(v, variables, bound) for k, v in args.items() if k != "in"}
        out["vars"] = {k: bind_expression(v, variables, bound) for k, v in args["vars"].items()}
        if "in" in args:
            out["in"] = bind_expression(args["in"], variables, bound | names)
        return out
    if operator in ("$map", "$filter"):
        alias = args.get("as", "this")
        names = frozenset([alias]) if isinstance(alias, str) else frozenset()
        body = "in" if operator == "$map" else "cond"
        return {
            k: bind_expression(v, variables, bound | names if k == body else bound)
            for k, v in args.items()
        }
    if operator == "$reduce":
        names = frozenset(["this", "value"])
        return {
            k: bind_expression(v, variables, bound | names if k == "in" else bound)
            for k, v in args.items()
        }
    return None


def _bind_reference(expr: str, variables: Variables, bound: frozenset[str]) -> Any:
    name, _, path = expr[2:].partition(".")
    if name in bound or name in BACKEND_VARIABLES:
        return expr
    if name == "NOW":
        now = datetime.now(UTC).replace(tzinfo=None)
        value: Any = now.replace(microsecond=now.microsecond // 1000 * 1000)
    elif name in REFUSED_VARIABLES:
        raise not_supported(f"The $${name} variable")
    elif name in variables:
        value = variables[name]
    else:
        raise CommandError(17276, f"Use of undefined variable: {name}")
    if path:
        value = helpers.get_value_by_dot({"v": value}, f"v.{path}", can_generate_array=True)
        if value is helpers.NOTHING:
            return "$$REMOVE"
    return {"$literal": value}
