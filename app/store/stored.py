"""A model as the database stores it, fast: pydantic's own dump, then the few types BSON
stores differently (what Beanie's encoder does, without its per-value dispatch)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from bson import Binary
from bson.decimal128 import Decimal128
from pydantic import BaseModel

from models.types import remembered


def stored_form(model: BaseModel) -> dict[str, Any]:
    encoded: dict[str, Any] = _stored(model.model_dump(mode="python"))
    return encoded


def stored_value(value: Any) -> Any:
    """A model's dumped value (``model_dump(mode="python")``) as the database stores it."""
    return _stored(value)


# Stored as they are (exact types: an enumeration deriving from str is stored as its value).
_AS_IS = frozenset({str, int, float, bool, type(None), datetime, Decimal128})


def _stored(value: Any) -> Any:
    if type(value) in _AS_IS:
        return value
    if isinstance(value, dict):
        return {str(k): _stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    if isinstance(value, Decimal):
        return _decimal128(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.min)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return Binary.from_uuid(value)
    return value


# Scores are few distinct values written over and over: each is encoded once (keyed by its
# text, so 8 and 8.0 stay distinct as BSON keeps them). Decimal128 values are immutable.
_ENCODED: dict[str, Decimal128] = {}


def _decimal128(value: Decimal) -> Decimal128:
    return remembered(_ENCODED, str(value), Decimal128, value)
