"""A record's history as one viewer may see it, and reverting to an earlier version.

History goes through the same permission engine as everything else: a record outside the
viewer's scope is not found, and a field the viewer may not read does not appear in any entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from beanie import PydanticObjectId

from app.context import Actor
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.permissions.engine import Action, scoped_record
from app.permissions.matcher import matches
from app.records.paths import is_lock_path
from app.records.writer import update_record
from models.common import WriteSource
from models.types import search_key

# Results the grading engine recomputes from the inputs: never restored by hand.
DERIVED_LEAVES = {"average", "result", "year_average", "year_result", "pending"}
DERIVED_BLOCKS = ("learning", "promotion", "title")
MAX_ENTRIES = 500


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
    if parts[-1] in DERIVED_LEAVES:
        return True
    return (
        len(parts) >= 3
        and parts[0] == "years"
        and parts[2] in DERIVED_BLOCKS
        or (len(parts) >= 4 and parts[2] == "conduct" and parts[3] == "year")
    )


async def _record_in_scope(user: Any, record_id: Any, action: Action) -> tuple[Any, dict]:
    scope, raw = await scoped_record(user, "students", action, record_id)
    if raw is None:
        # 404, not 403: don't reveal records outside the viewer's scope.
        raise NotFound("Không tìm thấy hồ sơ học sinh")
    return scope, raw


def visible_entry(entry: dict[str, Any], rules: Any, record: dict, keep: HistoryFilter) -> dict:
    """The entry reduced to the fields the viewer may read and the filter keeps."""
    shown = dict(entry)
    shown["diff"] = [
        d
        for d in entry.get("diff") or []
        if rules.allows(d["path"], record) and keep.keeps_path(d["path"])
    ]
    if entry.get("snapshot") is not None:
        shown["snapshot"] = rules.filter_document(entry["snapshot"], record)
    return shown


async def record_history(
    user: Any, record_id: PydanticObjectId, keep: HistoryFilter | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the record as the viewer sees it, its entries newest first, filtered)."""
    from models.student import StudentRecord

    keep = keep or HistoryFilter()
    scope, raw = await _record_in_scope(user, record_id, Action.VIEW)
    rules = scope.fields_for(raw, "read")
    entries = []
    cursor = (
        StudentRecord.get_pymongo_collection()
        .database["change_log"]
        .find({"collection": "students", "record_key": str(record_id)})
        .sort("seq", -1)
        .limit(MAX_ENTRIES)
    )
    async for entry in cursor:
        if not keep.keeps_author(entry):
            continue
        shown = visible_entry(entry, rules, raw, keep)
        filtering = keep.school_year or keep.subject
        if filtering and not shown["diff"]:
            continue
        if not shown["diff"] and entry.get("op") == "update" and not entry.get("out_of_band"):
            continue  # a change to fields this viewer cannot read: nothing to show
        entries.append(shown)
    visible = rules.filter_document(raw, raw)
    visible["version"] = raw.get("version")  # bookkeeping the revert form needs, not data
    return visible, entries


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
    user: Any,
    record_id: PydanticObjectId,
    *,
    to_version: int,
    reason: str,
    expected_version: int,
) -> Any:
    """Bring a record back to ``to_version`` as a new, attributed change."""
    from app.records.writer import UNSET
    from models.student import StudentRecord

    if not reason or not reason.strip():
        raise InvalidInput("Cần ghi lý do hoàn tác", field="reason")
    scope, raw = await _record_in_scope(user, record_id, Action.EDIT)
    current = raw.get("version")
    log = StudentRecord.get_pymongo_collection().database["change_log"]
    if current != expected_version:
        newer = [
            e
            async for e in log.find(
                {
                    "collection": "students",
                    "record_key": str(record_id),
                    "version": {"$gt": expected_version},
                }
            ).sort("seq", 1)
        ]
        described = "; ".join(
            f"phiên bản {e.get('version')} bởi {e.get('actor_name') or 'không rõ'}: "
            + ", ".join(d.get("title") or d["path"] for d in e.get("diff") or [])
            for e in newer
        )
        raise Conflict(
            "Hồ sơ đã thay đổi kể từ khi bạn mở lịch sử — "
            f"{described or 'có thay đổi mới'}. Hãy tải lại trước khi hoàn tác."
        )
    if not isinstance(to_version, int) or to_version < 1 or to_version >= (current or 0):
        raise InvalidInput("Phiên bản cần hoàn tác về không hợp lệ", field="to_version")
    after = [
        e
        async for e in log.find(
            {"collection": "students", "record_key": str(record_id), "version": {"$gt": to_version}}
        ).sort("seq", 1)
    ]
    if not after:
        raise Conflict("Nhật ký chưa ghi các thay đổi sau phiên bản này; hãy thử lại sau ít giây")
    plan = restore_plan(after)
    writable = scope.fields_for(raw, "write")
    denied = sorted(p for p in plan if not writable.allows(p))
    if denied:
        raise Forbidden(
            "Bạn không có quyền sửa các trường mà việc hoàn tác cần đổi: " + ", ".join(denied)
        )
    changes = {p: (UNSET if v is None and not _nullable(p) else v) for p, v in plan.items()}
    return await update_record(
        record_id,
        changes,
        source=WriteSource.REVERT,
        actor=Actor(id=str(user.id), name=user.full_name, role=",".join(user.roles)),
        reason=f"Hoàn tác về phiên bản {to_version}: {reason.strip()}",
        expected_version=expected_version,
        in_scope=lambda new: matches(scope.filter, new),
        query_filter=scope.filter,
    )


def _nullable(path: str) -> bool:
    """Whether the field takes an empty value (else an absent old value means: remove it)."""
    from app.records.paths import validate_value

    try:
        validate_value(path, None)
    except InvalidInput:
        return False
    return True
