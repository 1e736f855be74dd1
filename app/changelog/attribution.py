"""Who made a change, as the event itself tells, and whether the app made it at all.

The app's write path bumps ``version`` and stamps ``meta`` with a fresh request id on every
write. A change without both is out-of-band: a shell, a script or another tool wrote to the
database directly, and the entry says so instead of pretending to know who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

UNKNOWN_ACTOR = "Không rõ (thay đổi ngoài ứng dụng)"


@dataclass(frozen=True)
class Attribution:
    actor_id: str | None
    actor_name: str | None
    actor_role: str | None
    request_id: str | None
    reason: str | None
    source: str | None
    version: int | None
    out_of_band: bool
    out_of_band_reason: str | None = None
    intent: str | None = None
    correction: str | None = None  # the correction request the change applied


def _from_meta(meta: dict[str, Any] | None, version: Any) -> Attribution:
    meta = meta or {}
    return Attribution(
        actor_id=meta.get("actor_id"),
        actor_name=meta.get("actor_name"),
        actor_role=meta.get("role"),
        request_id=meta.get("request_id"),
        reason=meta.get("reason"),
        source=meta.get("source"),
        version=int(version) if isinstance(version, int) else None,
        out_of_band=False,
        intent=meta.get("intent"),
        correction=meta.get("correction"),
    )


def _out_of_band(why: str, version: Any, request_id: str | None = None) -> Attribution:
    return Attribution(
        actor_id=None,
        actor_name=UNKNOWN_ACTOR,
        actor_role=None,
        request_id=request_id,
        reason=None,
        source="out_of_band",
        version=int(version) if isinstance(version, int) else None,
        out_of_band=True,
        out_of_band_reason=why,
    )


def attribute_insert(doc: dict[str, Any] | None) -> Attribution:
    meta = (doc or {}).get("meta") or {}
    version = (doc or {}).get("version")
    if not meta.get("request_id"):
        return _out_of_band("Bản ghi được tạo mà không có dấu vết của ứng dụng (meta)", version)
    if not isinstance(version, int) or version < 1:
        return _out_of_band(
            "Bản ghi được tạo mà không có số phiên bản", version, meta.get("request_id")
        )
    return _from_meta(meta, version)


def attribute_change(
    pre: dict[str, Any] | None, post: dict[str, Any] | None, touched: set[str] | None
) -> Attribution:
    """An update or replace. ``touched`` are the top-level fields the event changed (None when
    unknown, e.g. a replace without pre-image)."""
    post = post or {}
    meta = post.get("meta") or {}
    version = post.get("version")
    old_meta = (pre or {}).get("meta") or {}
    old_version = (pre or {}).get("version")
    if touched is not None and "version" not in touched:
        return _out_of_band(
            "Phiên bản không tăng: thay đổi không qua ứng dụng", version, meta.get("request_id")
        )
    if pre is not None and (
        not isinstance(version, int) or not isinstance(old_version, int) or version <= old_version
    ):
        return _out_of_band(
            "Phiên bản không tăng: thay đổi không qua ứng dụng", version, meta.get("request_id")
        )
    if not meta.get("request_id"):
        return _out_of_band("Không có mã yêu cầu của ứng dụng (meta.request_id)", version)
    meta_touched = touched is None or "meta" in touched
    fresh = meta_touched and (pre is None or meta.get("request_id") != old_meta.get("request_id"))
    if not fresh:
        return _out_of_band(
            "Mã yêu cầu không mới: dấu vết ứng dụng bị dùng lại", version, meta.get("request_id")
        )
    return _from_meta(meta, version)


def attribute_delete(pre: dict[str, Any] | None, last_logged: dict[str, Any] | None) -> Attribution:
    """The app stamps a record (one update, logged) right before deleting it; a delete with no
    such stamp just before is out-of-band."""
    stamp = (pre or {}).get("meta") or {}
    if (
        last_logged is None
        or last_logged.get("out_of_band")
        or last_logged.get("intent") != "delete"
    ):
        return _out_of_band(
            "Xóa mà không có bước đánh dấu của ứng dụng ngay trước đó", (pre or {}).get("version")
        )
    if pre is not None and stamp.get("request_id") != last_logged.get("request_id"):
        return _out_of_band(
            "Xóa mà không có bước đánh dấu của ứng dụng ngay trước đó", pre.get("version")
        )
    return Attribution(
        actor_id=last_logged.get("actor_id"),
        actor_name=last_logged.get("actor_name"),
        actor_role=last_logged.get("actor_role"),
        request_id=last_logged.get("request_id"),
        reason=last_logged.get("reason"),
        source=last_logged.get("source"),
        version=last_logged.get("version"),
        out_of_band=False,
    )
