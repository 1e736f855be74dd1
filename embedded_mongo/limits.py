"""What MongoDB refuses to store: documents over 16 MiB and field names it cannot store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import bson

from .errors import CommandError, not_supported
from .wire import CODEC

MAX_DOCUMENT_SIZE = 16 * 1024 * 1024  # BSONObjMaxUserSize


def document_size(doc: Mapping[str, Any]) -> int:
    return len(bson.encode(doc, codec_options=CODEC))


def check_insert(doc: Mapping[str, Any]) -> None:
    """Refuse a document an insert may not store, with MongoDB's errors."""
    size = document_size(doc)
    if size > MAX_DOCUMENT_SIZE:
        raise CommandError(
            2,
            f"object to insert too large. size in bytes: {size}, max size: {MAX_DOCUMENT_SIZE}",
        )
    doc_id = doc.get("_id")
    if isinstance(doc_id, Mapping) and any(str(k).startswith("$") for k in doc_id):
        first = next(k for k in doc_id if str(k).startswith("$"))
        raise CommandError(
            52,
            f"_id fields may not contain '$'-prefixed fields: {first} is not valid for storage.",
        )
    check_field_names(doc)


def check_field_names(doc: Mapping[str, Any]) -> None:
    """MongoDB 5.0+ stores top-level field names starting with '$'; the backend cannot."""
    for key in doc:
        if isinstance(key, str) and key.startswith("$"):
            raise not_supported(f"A top-level field name starting with '$' ({key})")


def check_updated(doc: Mapping[str, Any]) -> None:
    if document_size(doc) > MAX_DOCUMENT_SIZE:
        raise CommandError(
            17419, f"Resulting document after update is larger than {MAX_DOCUMENT_SIZE}"
        )


def check_upserted(doc: Mapping[str, Any]) -> None:
    if document_size(doc) > MAX_DOCUMENT_SIZE:
        raise CommandError(17420, f"Document to upsert is larger than {MAX_DOCUMENT_SIZE}")
