"""What MongoDB refuses to store (documents over 16 MiB, '$'-prefixed names in ``_id``), and
what it stores that mongomock-ng refused: since MongoDB 5.0 a document may hold top-level field
names starting with '$' (inserted, or set with ``$setField``).

``install()`` is idempotent and is called by ``store.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import bson
from mongomock_ng import collection as mm_collection

from .errors import CommandError
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


def check_updated(doc: Mapping[str, Any]) -> int:
    """Refuse a document an update may not leave; its size when it may."""
    size = document_size(doc)
    if size > MAX_DOCUMENT_SIZE:
        raise CommandError(
            17419, f"Resulting document after update is larger than {MAX_DOCUMENT_SIZE}"
        )
    return size


def growth_bound(update: Mapping[str, Any]) -> int:
    """How many bytes a plain update ($set, $unset, $inc by path) can add to a document at
    most: each value once, each path's names and the sub-documents it may create (generously:
    twice the update's own encoding)."""
    return 2 * len(bson.encode(update, codec_options=CODEC)) + 64


def check_upserted(doc: Mapping[str, Any]) -> None:
    if document_size(doc) > MAX_DOCUMENT_SIZE:
        raise CommandError(17420, f"Document to upsert is larger than {MAX_DOCUMENT_SIZE}")


def install() -> None:
    # mongomock-ng's insert check refuses top-level '$' names; keep only its null-byte check.
    mm_collection._validate_data_fields = mm_collection._recursive_key_check_null_character
