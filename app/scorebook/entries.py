"""Awards (khen thưởng) and discipline (kỷ luật) of a pupil's school year, kept in the
homeroom book: the homeroom teacher adds, edits and removes entries of a pupil of their class.

A pupil's list is written whole, atomically, through the batch writer with its guards (scope,
field rules, the year's lock) and with the list the page showed as ``seen``: a list someone
changed since is a conflict (their list, who, when), never overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from app.clock import format_datetime, typed_day
from app.errors import NotFound
from app.records.diff import get_path
from app.store import Access
from app.store.writes import CONFLICT, REFUSED, BatchItem
from app.validation_vi import messages_by_field
from models.common import WriteSource
from models.role import Action

from .books import NO_SUCH_BOOK, READ_ONLY_PREVIEW, BookKey, check_key
from .columns import ENTRY_FIELDS, ENTRY_MODELS, RECORDS, display, entry_form, entry_forms
from .live import NOT_IN_BOOK, pupils_in_book
from .save import NO_EDIT, SAVED

INVALID = "invalid"
EMPTY = "Không được để trống"
ENTRY_COLUMNS = {column.key: column for column in RECORDS}
KIND_LABELS = {"awards": "khen thưởng", "discipline": "kỷ luật"}
MAX_ENTRIES = 30  # in one school year: far more than any pupil has
REASON = "Nhập khen thưởng, kỷ luật trên sổ chủ nhiệm"
DATE_FIELDS = ("decided_on",)
BAD_DAY = "Ngày không hợp lệ (ghi ngày/tháng/năm, ví dụ 15/01/2026)"
FIX_ENTRIES = "Có mục chưa hợp lệ; hãy sửa các ô được đánh dấu rồi lưu lại"
CHANGED_MEANWHILE = "Danh sách này vừa được người khác thay đổi sau khi bạn mở trang"


@dataclass
class EntriesAnswer:
    status: str  # saved | invalid | refused | conflict
    message: str | None = None
    # invalid: entry index -> field -> Vietnamese message (what was typed is kept by the page)
    errors: dict[int, dict[str, str]] = field(default_factory=dict)
    entries: list[dict[str, str]] = field(default_factory=list)  # saved/conflict: as stored now
    display: str = ""  # the book cell's text for the stored list
    by: str | None = None  # conflict: who changed it
    at: str | None = None  # conflict: when


def describe_entries(kind: str, items: Any) -> str:
    """The book cell's text for a list (the book's own rendering)."""
    return display(ENTRY_COLUMNS[kind], items)


def check_entries(
    kind: str, typed: Sequence[Mapping[str, Any]]
) -> tuple[list[BaseModel], dict[int, dict[str, str]]]:
    """The typed entries as models, or the Vietnamese message of each bad field."""
    model = ENTRY_MODELS[kind]
    fields = ENTRY_FIELDS[kind]
    parsed: list[BaseModel] = []
    errors: dict[int, dict[str, str]] = {}
    required = [name for name in fields if model.model_fields[name].is_required()]
    for index, item in enumerate(typed):
        data = {name: (str(item.get(name) or "").strip() or None) for name in fields}
        blank = {name: EMPTY for name in required if data[name] is None}
        days = {name: _iso_day(data[name]) for name in DATE_FIELDS if data.get(name)}
        data |= days
        try:
            parsed.append(model.model_validate(data))
        except ValidationError as exc:
            found = {n.split(".", 1)[0]: m for n, m in messages_by_field(exc).items()}
            found |= {name: BAD_DAY for name in days if name in found}
            errors[index] = {**found, **blank}
    return parsed, errors


def _iso_day(text: str | None) -> str | None:
    """The dialog's "15/01/2026" as the model reads a date ("2026-01-15"); other text is
    left for the model to refuse."""
    return typed_day(text) or text


async def save_entries(
    access: Access,
    key: BookKey,
    record_id: str,
    kind: str,
    typed: Sequence[Mapping[str, Any]],
    seen: Sequence[Mapping[str, Any]],
) -> EntriesAnswer:
    """Replace a pupil's awards or discipline of the book's school year with ``typed``;
    ``seen`` is the list the page showed."""
    check_key(key)
    if key.kind != "homeroom" or kind not in ENTRY_MODELS:
        raise NotFound(NO_SUCH_BOOK)
    if not access.can("students", Action.EDIT):
        return EntriesAnswer(REFUSED, READ_ONLY_PREVIEW if access.read_only else NO_EDIT)
    if len(typed) > MAX_ENTRIES:
        too_many = f"Mỗi năm học ghi tối đa {MAX_ENTRIES} mục {KIND_LABELS[kind]}"
        return EntriesAnswer(REFUSED, too_many)
    parsed, errors = check_entries(kind, typed)
    if errors:
        return EntriesAnswer(INVALID, FIX_ENTRIES, errors)
    path = f"years.{key.school_year}.{kind}"
    writer = access.writer("students", Action.EDIT, source=WriteSource.GRID, reason=REASON)
    found = await pupils_in_book(access, key, [record_id], writer.read_fields([path]))
    if not found or not found[0].rules.allows(path):
        raise NotFound(NOT_IN_BOOK)
    pupil = found[0]
    current = get_path(pupil.stored, path)
    if entry_forms(kind, current) != [entry_form(kind, s) for s in seen]:
        return _conflict(kind, current, pupil.stored.get("meta") or {})
    new = [m.model_dump(mode="python") for m in parsed]
    item = BatchItem(pupil.id, {path: new}, seen={path: current}, stored=pupil.stored)
    (outcome,) = await writer.update_many([item])
    if outcome.status == REFUSED:
        return EntriesAnswer(REFUSED, outcome.message or "Không lưu được")
    if outcome.status == CONFLICT:
        return _conflict(kind, (outcome.current or {}).get(path), outcome.changed_by or {})
    stored = get_path(outcome.stored or {}, path)
    return EntriesAnswer(
        SAVED, entries=entry_forms(kind, stored), display=describe_entries(kind, stored)
    )


def _conflict(kind: str, current: Any, stamp: Mapping[str, Any]) -> EntriesAnswer:
    at = stamp.get("at")
    return EntriesAnswer(
        CONFLICT,
        CHANGED_MEANWHILE,
        entries=entry_forms(kind, current),
        display=describe_entries(kind, current),
        by=stamp.get("actor_name") or "một người khác",
        at=format_datetime(at) if isinstance(at, datetime) else None,
    )
