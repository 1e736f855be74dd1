"""A record's history as one viewer may see it, and reverting to an earlier version.

History goes through the same permission engine as everything else: a record outside the
viewer's scope is not found, and a field the viewer may not read does not appear in any entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bson.decimal128 import Decimal128

from app.errors import Conflict, InvalidInput
from app.records.paths import is_lock_path, validate_value
from app.store import UNSET, Access
from models.common import WriteSource
from models.role import Action
from models.types import search_key

# Results the grading engine recomputes from the inputs: never restored by hand.
DERIVED_LEAVES = {"average", "result", "year_average", "year_result", "pending"}
DERIVED_BLOCKS = ("learning", "promotion", "title")
MAX_ENTRIES = 500
NOT_FOUND = "Không tìm thấy hồ sơ học sinh"


@dataclass
class HistoryFilter:
    school_year: str | None = None
    subject: str | None = None
    author: str | None = None

    def keeps_path(self, path: str) -> bool:
        if self.school_year and not path.startswith(f"years.{self.school_year}."):
            return False
        return not (self.subject and f".subjects.{self.subject}." not in f".{path}.")

    def keeps_author(self, entry: dict[str, Any]) -> bool:
        if not self.author:
            return True
        wanted = search_key(self.author)
        return wanted in search_key(entry.get("actor_name") or "") or wanted == (
            entry.get("actor_id") or ""
        )


def is_derived(path: str) -> bool:
    parts = path.split(".")
    if parts[-1] in DERIVED_LEAVES or "pending" in parts:
        return True
    return (
        len(parts) >= 3
        and parts[0] == "years"
        and parts[2] in DERIVED_BLOCKS
        or (len(parts) >= 4 and parts[2] == "conduct" and parts[3] == "year")
    )


async def record_history(
    access: Access, record_id: Any, keep: HistoryFilter | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the record as the viewer sees it, its entries newest first, filtered)."""
    keep = keep or HistoryFilter()
    found = await access.students(Action.VIEW).get_or_404(record_id, NOT_FOUND)
    log = access.record_log("students", found)
    entries = []
    raw_entries = await log.find(
        {"collection": "students", "record_key": str(found.id)},
        sort=[("seq", -1)],
        limit=MAX_ENTRIES,
    )
    for entry in raw_entries:
        if not keep.keeps_author(entry):
            continue
        shown = readable_changes(await log.visible(entry), keep)
        filtering = keep.school_year or keep.subject
        if filtering and not shown["diff"]:
            continue
        if not shown["diff"] and entry.get("op") == "update" and not entry.get("out_of_band"):
            continue  # a change to fields this viewer cannot read: nothing to show
        entries.append(shown)
    visible = found.visible
    visible["version"] = found.stored.get("version")  # bookkeeping the revert form needs
    return visible, entries


def readable_changes(entry: dict[str, Any], keep: HistoryFilter) -> dict[str, Any]:
    """The entry's changes as people read them: what was entered first, in the record's
    order (list positions as numbers), and what the engine recomputed because of it apart
    ("derived"); rows whose old and new values read the same are left out."""
    rows = [
        d
        for d in entry["diff"]
        if keep.keeps_path(d["path"]) and not (d.get("old_known", True) and _same(d))
    ]
    rows.sort(key=lambda d: _path_order(d["path"]))
    entry["diff"] = [d for d in rows if not is_derived(d["path"])]
    entry["derived"] = [d for d in rows if is_derived(d["path"])]
    if not entry["diff"] and entry["derived"]:
        entry["diff"], entry["derived"] = entry["derived"], []
    return entry


def _same(change: dict[str, Any]) -> bool:
    old, new = _plain(change.get("old")), _plain(change.get("new"))
    return bool(old == new)


def _plain(value: Any) -> Any:
    return value.to_decimal() if isinstance(value, Decimal128) else value


def _path_order(path: str) -> list[tuple[int, Any]]:
    """ "…tx.10" after "…tx.9": number segments compare as numbers."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in path.split(".")]


def restore_plan(entries_after: list[dict[str, Any]]) -> dict[str, Any]:
    """Paths to restore and their values: the oldest known old value after the target."""
    plan: dict[str, Any] = {}
    for entry in entries_after:  # oldest first
        if entry.get("kind") != "change" or entry.get("op") not in ("update", "replace"):
            raise Conflict(
                f"Không thể hoàn tác qua mục số {entry['seq']} ({entry.get('op')}): "
                "nhật ký không giữ đủ trạng thái cũ cho thay đổi đó"
            )
        for change in entry.get("diff") or []:
            path = change["path"]
            # Results are recomputed and locks belong to the approval workflow: neither is
            # restored; a lock still in force makes the write path refuse the revert.
            if path in plan or is_derived(path) or is_lock_path(path):
                continue
            if not change.get("old_known", True):
                raise Conflict(
                    f"Không thể hoàn tác «{change.get('title') or path}»: "
                    "nhật ký không có giá trị cũ"
                )
            plan[path] = change.get("old")
    return plan


async def revert(
    access: Access,
    record_id: Any,
    *,
    to_version: int,
    reason: str,
    expected_version: int,
) -> Any:
    """Bring a record back to ``to_version`` as a new, attributed change, checked leaf by
    leaf like any other write (locks, field rules, scope)."""
    if not reason or not reason.strip():
        raise InvalidInput("Cần ghi lý do hoàn tác", field="reason")
    found = await access.students(Action.EDIT).get_or_404(record_id, NOT_FOUND)
    current = found.stored.get("version")
    log = access.record_log("students", found)
    key = {"collection": "students", "record_key": str(found.id)}
    if current != expected_version:
        newer = await log.find({**key, "version": {"$gt": expected_version}}, sort=[("seq", 1)])
        parts = []
        for entry in newer:
            titles = ", ".join(
                d.get("title") or d["path"] for d in (await log.visible(entry))["diff"]
            )
            parts.append(
                f"phiên bản {entry.get('version')} bởi {entry.get('actor_name') or 'không rõ'}: "
                + titles
            )
        described = "; ".join(parts)
        raise Conflict(
            "Hồ sơ đã thay đổi kể từ khi bạn mở lịch sử — "
            f"{described or 'có thay đổi mới'}. Hãy tải lại trước khi hoàn tác."
        )
    if not isinstance(to_version, int) or to_version < 1 or to_version >= (current or 0):
        raise InvalidInput("Phiên bản cần hoàn tác về không hợp lệ", field="to_version")
    after = await log.find({**key, "version": {"$gt": to_version}}, sort=[("seq", 1)])
    if not after:
        raise Conflict("Nhật ký chưa ghi các thay đổi sau phiên bản này; hãy thử lại sau ít giây")
    plan = restore_plan(after)
    changes = {p: (UNSET if v is None and not _nullable(p) else v) for p, v in plan.items()}
    writer = access.writer(
        "students",
        Action.EDIT,
        source=WriteSource.REVERT,
        reason=f"Hoàn tác về phiên bản {to_version}: {reason.strip()}",
    )
    return await writer.update(found.id, changes, expected_version=expected_version)


def _nullable(path: str) -> bool:
    """Whether the field takes an empty value (else an absent old value means: remove it)."""
    try:
        validate_value(path, None)
    except InvalidInput:
        return False
    return True
