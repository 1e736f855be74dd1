"""A row as it would be stored: typed cells checked and the results computed by the grading
engine (the same derivation the write path stores), for the page to show while typing."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.errors import HocBaError
from app.grading import Subject
from app.records.compute import derive_year
from app.records.diff import get_path
from app.store import Access, Found
from app.store.handles import object_id
from app.validation_vi import first_message
from models.role import Action
from models.student_parts import SchoolYearRecord

from .books import (
    BookKey,
    book_fields,
    book_grade,
    book_query,
    check_key,
    columns_for,
    in_book,
)
from .columns import Column, display, parse_cell
from .kept import KeptRecords, find_kept

NOT_IN_BOOK = "Học sinh này không có trong sổ"


@dataclass
class LiveRow:
    errors: dict[str, str] = field(default_factory=dict)  # column key -> message
    computed: dict[str, str] = field(default_factory=dict)  # column key -> shown value
    problem: str | None = None  # the row cannot be computed (a message for the whole row)


def book_read(key: BookKey, also: Sequence[str] = ()) -> list[str]:
    """What is read of each pupil: the book's fields and ``also``."""
    return [*book_fields(key), *also]


async def pupils_in_book(
    access: Access,
    key: BookKey,
    record_ids: list[str],
    also: Sequence[str] = (),
    *,
    kept: KeptRecords | None = None,
) -> list[Found]:
    """Those of ``record_ids`` that are pupils of the book the reader may see (read with
    ``book_read(key, also)``; ``kept``: reusing the records kept there as they still are)."""
    ids = [oid for oid in (object_id(r) for r in record_ids) if oid is not None]
    if not ids:
        return []
    query = {**book_query(key), "_id": {"$in": ids}}
    only = book_read(key, also)
    handle = access.students(Action.VIEW)
    if kept is None:
        found = await handle.find(query, only=only)
    else:
        found = await find_kept(handle, query, only, kept)
    return [f for f in found if in_book(f, key)]


def put(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in plain data, creating maps and padding lists with None."""
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append(None)
            if last:
                node[index] = value
            else:
                if node[index] is None:
                    node[index] = [] if parts[i + 1].isdigit() else {}
                node = node[index]
        elif last:
            node[part] = value
        else:
            if node.get(part) is None:
                node[part] = [] if parts[i + 1].isdigit() else {}
            node = node[part]


def parse_row(
    key: BookKey, columns: Mapping[str, Column], typed: Mapping[str, str], subject: Subject | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed cells of one row: values by column key, and errors by column key."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, text in typed.items():
        column = columns.get(name)
        if column is None or not column.editable:
            errors[name] = "Ô này không nhập được"
            continue
        parsed = parse_cell(column, text, key.school_year, subject)
        if parsed.error is not None:
            errors[name] = parsed.error
        else:
            values[name] = parsed.value
    return values, errors


def computed_row(
    found: Found, key: BookKey, columns: list[Column], values: Mapping[str, Any]
) -> LiveRow:
    """The computed columns of one pupil's row with ``values`` (column key -> value) applied."""
    live = LiveRow()
    year = copy.deepcopy(get_path(found.stored, f"years.{key.school_year}") or {})
    by_key = {c.key: c for c in columns}
    for name, value in values.items():
        put(year, by_key[name].path, value)
    try:
        model = SchoolYearRecord.model_validate(year)
        derive_year(model)
    except ValidationError as exc:
        live.problem = first_message(exc)
        return live
    except HocBaError as exc:
        live.problem = exc.message
        return live
    result = model.model_dump(mode="python")
    for column in columns:
        if column.kind == "computed" and found.rules.allows(column.full_path(key.school_year)):
            live.computed[column.key] = display(column, get_path(result, column.path))
    return live


async def live_rows(
    access: Access, key: BookKey, typed: Mapping[str, Mapping[str, str]]
) -> dict[str, LiveRow]:
    """Check and compute the typed rows (record id -> column key -> text)."""
    subject = check_key(key)
    found = {str(f.id): f for f in await pupils_in_book(access, key, list(typed))}
    answers: dict[str, LiveRow] = {}
    for record_id, cells in typed.items():
        pupil = found.get(record_id)
        if pupil is None:
            answers[record_id] = LiveRow(problem=NOT_IN_BOOK)
            continue
        columns = columns_for(key, subject, book_grade([pupil], key))
        values, errors = parse_row(key, {c.key: c for c in columns}, cells, subject)
        live = computed_row(pupil, key, columns, values)
        live.errors = errors
        answers[record_id] = live
    return answers
