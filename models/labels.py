"""Readable Vietnamese names for stored paths:
``years.2025-2026.subjects.TOAN.hk1.gk`` → «Năm học 2025-2026 › Toán › Học kỳ I › Đánh giá giữa kỳ».
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from app.grading import catalogue
from models.introspect import unwrap
from models.student_parts import TERM_LABELS

from .resources import model_of

SEPARATOR = " › "
# Labels for map keys that are not free data.
KEY_LABELS = {**TERM_LABELS}


def _key_label(container: str, key: str) -> str:
    if container == "years":
        return f"Năm học {key}"
    if container == "subjects":
        subject = catalogue().get(key)
        return subject.name if subject else key
    return KEY_LABELS.get(key, key)


@lru_cache(maxsize=4096)
def describe_path(collection: str, path: str) -> str:
    """The path as people read it; unknown parts are shown as they are."""
    model = model_of(collection)
    annotation: Any = model
    parts: list[str] = []
    container = ""
    for segment in path.split("."):
        current = unwrap(annotation) if annotation is not None else None
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(segment)
            if field is None:
                parts.append(segment)
                annotation = None
                continue
            parts.append(field.title or segment)
            annotation, container = field.annotation, segment
        elif origin is dict:
            # The key says more than the map's own title: «Năm học 2025-2026», not
            # «Các năm học › Năm học 2025-2026».
            if parts and container in ("years", "subjects"):
                parts[-1] = _key_label(container, segment)
            else:
                parts.append(_key_label(container, segment))
            annotation = get_args(current)[1]
        elif origin is list and segment.isdigit():
            # "Đánh giá thường xuyên 3" rather than a separate "#3".
            parts[-1] = f"{parts[-1]} {int(segment) + 1}" if parts else segment
            annotation = get_args(current)[0]
        else:
            parts.append(segment)
            annotation = None
    return SEPARATOR.join(parts)
