"""Which collections the log follows, and the document model of each (for labels)."""

from __future__ import annotations

from typing import Any

import models  # noqa: F401  (every document registers itself in the registry)
from app.store.fields import is_encrypted
from models.resources import AUDITED_RESOURCES, BOOKKEEPING, RESOURCES, model_of

AUDITED: dict[str, Any] = {code: model_of(code) for code in AUDITED_RESOURCES}

# The audited collections are permission resources of the same name: the same labels.
COLLECTION_LABELS = {code: RESOURCES[code].label for code in AUDITED_RESOURCES}


def is_bookkeeping(path: str) -> bool:
    parts = path.split(".")
    # "pending" is the derived list of what is missing to compute results: noise in a diff.
    return parts[0] in BOOKKEEPING or parts[0] == "_id" or parts[-1] == "pending"


MASK = "••••••"


def masked(value: Any) -> Any:
    """A value as the log keeps it: an encrypted field (or a list or document holding one)
    shows only that it changed, never its ciphertext."""
    if is_encrypted(value):
        return MASK
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    return value


def snapshot(doc: dict | None) -> dict | None:
    """A record's state for the log: everything but bookkeeping and secrets."""
    if doc is None:
        return None
    hidden = {*BOOKKEEPING, "_id", "password_hash", "password_history"}
    return {k: masked(v) for k, v in doc.items() if k not in hidden}


def record_label(collection: str, doc: dict | None) -> str:
    """A short human name for a record: pupil name and code, username, role code…"""
    if not doc:
        return ""
    if collection == "students":
        name = (doc.get("profile") or {}).get("full_name", "")
        return f"{name} ({doc.get('code', '')})".strip()
    if collection == "users":
        return f"{doc.get('full_name', '')} ({doc.get('username', '')})"
    if collection == "parent_reports":
        return f"Báo sai sót về {doc.get('student_name', '')}: {doc.get('item_label', '')}"
    if collection == "classes":
        return f"Lớp {doc.get('name', '')} — {doc.get('school_year', '')}"
    return str(doc.get("name") or doc.get("code") or "")
