"""Expressions mongomock-ng lacks or gets wrong: ``$setField``, ``$unsetField`` and
``$getField``, which read and write field names literally ("a.b" is one field, "$a" a field
whose name starts with a dollar), as MongoDB 5.0+ does; and ``$rand``.

``install()`` is idempotent and is called by ``store.py``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from mongomock_ng import OperationFailure
from mongomock_ng import aggregate as mm_aggregate
from mongomock_ng.helpers import NOTHING

_Parser = mm_aggregate._Parser
_original = getattr(_Parser._handle_field_operator, "__wrapped__", _Parser._handle_field_operator)
OPERATORS = ("$getField", "$setField", "$unsetField", "$rand")


def _field_name(parser: Any, operator: str, spec: Any) -> str:
    name = parser.parse(spec)
    if not isinstance(name, str):
        raise OperationFailure(f"{operator} requires 'field' to evaluate to type String")
    return name


def _handle_field_operator(self: Any, operator: str, values: Any) -> Any:
    if operator == "$rand":
        if values != {}:
            raise OperationFailure("$rand does not currently accept arguments")
        return random.random()
    if operator == "$getField":
        if isinstance(values, Mapping) and "field" in values:
            name = _field_name(self, operator, values.get("field"))
            source = self.parse(values["input"]) if "input" in values else self._doc_dict
        else:
            name, source = _field_name(self, operator, values), self._doc_dict
        if not isinstance(source, Mapping):
            return NOTHING if source is NOTHING else None
        return source.get(name, NOTHING)
    if not isinstance(values, Mapping) or "field" not in values or "input" not in values:
        raise OperationFailure(f"{operator} requires 'field' and 'input' to be specified")
    name = _field_name(self, operator, values["field"])
    source = self.parse(values["input"])
    if source is None or source is NOTHING:
        return None
    if not isinstance(source, Mapping):
        raise OperationFailure(f"{operator} requires 'input' to evaluate to type Object")
    result = dict(source)
    if operator == "$unsetField":
        result.pop(name, None)
        return result
    if "value" not in values:
        raise OperationFailure("$setField requires 'value' to be specified")
    value = self.parse(values["value"])
    if value is NOTHING:  # $$REMOVE
        result.pop(name, None)
    else:
        result[name] = value
    return result


def install() -> None:
    _handle_field_operator.__wrapped__ = _original  # type: ignore[attr-defined]
    _Parser._handle_field_operator = _handle_field_operator  # type: ignore[method-assign]
    for operator in OPERATORS:
        if operator not in mm_aggregate.field_operators:
            mm_aggregate.field_operators.append(operator)
