"""Field path patterns: ``years.$current_year.subjects.$assigned_subject.hk1.**``.

A pattern is dotted segments; each is a field name or map key, ``*`` (exactly one segment),
``**`` (any number of remaining segments, only last), ``$user.<attr>`` (any of its values),
``$current_year`` or ``$assigned_subject``. ``*`` or ``**`` alone means everything. A pattern
covers the paths it matches and everything below them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from app.errors import InvalidInput
from models.introspect import unwrap
from models.resources import model_of

from .variables import ASSIGNED_SUBJECT, CURRENT_YEAR, USER_PREFIX, VARIABLES, variable_names

SegmentKind = Literal["name", "one", "rest", "var", "current_year", "assigned"]
NAME = re.compile(r"^[A-Za-z0-9_-]+$")
# The permission field holding each kind of pattern (errors are reported on it).
KIND_FIELDS = {"read": "read_fields", "write": "write_fields"}


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    name: str = ""  # the field name, or the variable for kind "var"


def _tokens(text: str) -> list[str]:
    raw = text.split(".")
    tokens: list[str] = []
    index = 0
    while index < len(raw):
        token = raw[index]
        if token == USER_PREFIX[:-1] and index + 1 < len(raw):  # "$user" "." "attr"
            token = f"{token}.{raw[index + 1]}"
            index += 1
        tokens.append(token)
        index += 1
    return tokens


@lru_cache(maxsize=1024)
def parse_pattern(text: str) -> tuple[Segment, ...]:
    """The segments of ``text``; raises InvalidInput with a Vietnamese message."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("Mẫu trường không được để trống")
    if text in ("*", "**"):
        return (Segment("rest"),)
    tokens = _tokens(text)
    segments: list[Segment] = []
    for index, token in enumerate(tokens):
        if token == "**":
            if index != len(tokens) - 1:
                raise InvalidInput(f"Mẫu «{text}»: ** chỉ được đặt ở cuối")
            segments.append(Segment("rest"))
        elif token == "*":
            segments.append(Segment("one"))
        elif token == CURRENT_YEAR:
            segments.append(Segment("current_year"))
        elif token == ASSIGNED_SUBJECT:
            segments.append(Segment("assigned"))
        elif token.startswith(USER_PREFIX):
            if token.removeprefix(USER_PREFIX) not in VARIABLES:
                known = ", ".join([*variable_names(), CURRENT_YEAR, ASSIGNED_SUBJECT])
                raise InvalidInput(
                    f"Mẫu «{text}»: biến {token} không tồn tại; các biến hợp lệ: {known}"
                )
            segments.append(Segment("var", token))
        elif token.startswith("$"):
            known = ", ".join([*variable_names(), CURRENT_YEAR, ASSIGNED_SUBJECT])
            raise InvalidInput(
                f"Mẫu «{text}»: biến {token} không tồn tại; các biến hợp lệ: {known}"
            )
        elif not NAME.match(token):
            raise InvalidInput(
                f"Mẫu «{text}»: đoạn «{token}» không hợp lệ (chỉ gồm chữ không dấu, số, _ và -, "
                "hoặc *, **, biến)"
            )
        else:
            segments.append(Segment("name", token))
    return tuple(segments)


def validate_field_patterns(resource: str, patterns: list[str], kind: str = "read") -> list[str]:
    """Check every pattern's syntax and that it names fields of the resource's model.

    Returns the patterns trimmed and without duplicates; raises InvalidInput.
    """
    model = model_of(resource)
    result: list[str] = []
    for raw in patterns:
        text = raw.strip() if isinstance(raw, str) else raw
        try:
            segments = parse_pattern(text)
            if ASSIGNED_SUBJECT in text and resource != "students":
                raise InvalidInput(
                    f"Mẫu «{text}»: biến {ASSIGNED_SUBJECT} chỉ dùng cho hồ sơ học sinh"
                )
            if model is not None:
                _check_shape(model, segments, text)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field=KIND_FIELDS.get(kind)) from exc
        if text not in result:
            result.append(text)
    return result


def _model_field(model: type[BaseModel], name: str) -> Any:
    for field_name, field in model.model_fields.items():
        if name in (field_name, field.alias):
            return field
    return None


def _check_shape(model: type[BaseModel], segments: tuple[Segment, ...], text: str) -> None:
    annotation: Any = model
    path: list[str] = []
    for segment in segments:
        if segment.kind == "rest":
            return
        current = unwrap(annotation)
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if segment.kind == "one":
                return  # any field: nothing more to check along this path
            if segment.kind != "name":
                raise InvalidInput(
                    f"Mẫu «{text}»: biến chỉ đặt được ở vị trí khóa của năm học hoặc môn học"
                )
            if segment.name == "revision_id" and not path:
                return
            field = _model_field(current, segment.name)
            if field is None:
                where = ".".join(path) or "gốc"
                raise InvalidInput(
                    f"Mẫu «{text}»: không có trường «{segment.name}» (trong {where})"
                )
            annotation = field.annotation
        elif origin is dict or current is dict:
            annotation = get_args(current)[1] if origin is dict else Any
        elif origin is list or current is list:
            if segment.kind == "name" and not segment.name.isdigit():
                raise InvalidInput(f"Mẫu «{text}»: «{segment.name}» phải là số thứ tự hoặc *")
            annotation = get_args(current)[0] if origin is list else Any
        elif current is Any or origin is not None:
            return
        else:
            raise InvalidInput(
                f"Mẫu «{text}»: «{'.'.join(path)}» là giá trị đơn, không có trường con"
            )
        path.append(segment.name or "*")
