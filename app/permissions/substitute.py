"""Replace ``$user.<attr>`` references in a (validated) row filter by the user's values."""

from __future__ import annotations

import copy
from typing import Any

from bson import ObjectId

from models.rules.filters import LIST_OPERATORS, LOGICAL
from models.rules.variables import USER_PREFIX, UserContext


class MissingVariable(Exception):
    """The user has no value for a variable the filter needs (e.g. no subject group)."""

    def __init__(self, variable: str) -> None:
        super().__init__(variable)
        self.variable = variable


def substitute(query: dict[str, Any], ctx: UserContext) -> dict[str, Any]:
    """A copy of ``query`` with variables replaced; raises MissingVariable.

    A list-valued variable inside ``$in``/``$nin``/``$all`` is spliced into the list; used as
    a plain equality value it becomes ``{"$in": [...]}``. A variable the user has no value
    for (None) raises, so the permission grants nothing rather than matching empty fields.
    """
    return _Substitution(ctx).query(query)


def _is_variable(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(USER_PREFIX)


class _Substitution:
    def __init__(self, ctx: UserContext) -> None:
        self.ctx = ctx

    def resolve(self, variable: str, field: str) -> Any:
        value = self.ctx.value(variable)
        if value is None:
            raise MissingVariable(variable)
        if field == "_id":  # ids are ObjectIds in storage, strings in the context
            if isinstance(value, list):
                return [ObjectId(v) if ObjectId.is_valid(v) else v for v in value]
            return ObjectId(value) if ObjectId.is_valid(value) else value
        return value

    def query(self, query: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in query.items():
            if key in LOGICAL:
                result[key] = [self.query(branch) for branch in value]
            else:
                result[key] = self.condition(key, value)
        return result

    def condition(self, field: str, value: Any) -> Any:
        if isinstance(value, dict) and value and all(str(k).startswith("$") for k in value):
            return self.operators(field, value)
        if _is_variable(value):
            resolved = self.resolve(value, field)
            return {"$in": resolved} if isinstance(resolved, list) else resolved
        return copy.deepcopy(value)

    def operators(self, field: str, ops: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for op, arg in ops.items():
            if op in LIST_OPERATORS:
                result[op] = self.splice(field, arg)
            elif op == "$not":
                result[op] = self.operators(field, arg)
            elif op == "$elemMatch":
                if all(k.startswith("$") and k not in LOGICAL for k in arg):
                    result[op] = self.operators(field, arg)
                else:
                    result[op] = self.query(arg)
            elif _is_variable(arg):
                result[op] = self.resolve(arg, field)
            else:
                result[op] = copy.deepcopy(arg)
        return result

    def splice(self, field: str, arg: Any) -> list[Any]:
        if _is_variable(arg):
            value = self.resolve(arg, field)
            return list(value) if isinstance(value, list) else [value]
        items: list[Any] = []
        for item in arg:
            if _is_variable(item):
                value = self.resolve(item, field)
                items.extend(value if isinstance(value, list) else [value])
            else:
                items.append(copy.deepcopy(item))
        return items
