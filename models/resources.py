"""The one resource registry: every collection the permission engine, the data-access layer
and the change log know, with its Vietnamese label and whether the log audits it.

Documents register their model here when their module is imported (``register_model``), so
this module imports no other document module and every layer above can ask it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

# Fields the write path maintains on every audited document; never data a person edits.
BOOKKEEPING = ("version", "meta", "revision_id", "search_name", "schema_version")


@dataclass(frozen=True)
class ResourceSpec:
    code: str
    label: str
    collection: str
    audited: bool  # written through the stamped write path and followed by the change log


_SPECS = (
    ResourceSpec("students", "Hồ sơ học sinh", "students", True),
    ResourceSpec("users", "Tài khoản", "users", True),
    ResourceSpec("roles", "Vai trò", "roles", True),
    ResourceSpec("school_years", "Năm học", "school_years", True),
    ResourceSpec("classes", "Lớp học", "classes", True),
    ResourceSpec("subjects", "Môn học", "subjects", True),
    ResourceSpec("gradebooks", "Sổ điểm (duyệt và khóa)", "gradebooks", True),
    ResourceSpec("parent_reports", "Báo sai sót của phụ huynh", "parent_reports", True),
    ResourceSpec("corrections", "Phiếu đề nghị điều chỉnh", "corrections", True),
    ResourceSpec("inspections", "Kiểm tra nội bộ (bảng theo dõi, biên bản)", "inspections", True),
    ResourceSpec("change_log", "Nhật ký thay đổi", "change_log", False),
    ResourceSpec("auth_events", "Nhật ký đăng nhập", "auth_events", False),
    ResourceSpec("export_journal", "Nhật ký xuất dữ liệu", "export_journal", False),
)
RESOURCES: dict[str, ResourceSpec] = {spec.code: spec for spec in _SPECS}
# Resource code -> Vietnamese label; iterate it for every resource code.
RESOURCE_LABELS: dict[str, str] = {spec.code: spec.label for spec in _SPECS}
AUDITED_RESOURCES: tuple[str, ...] = tuple(spec.code for spec in _SPECS if spec.audited)

_models: dict[str, type[BaseModel]] = {}


def register_model(code: str, model: type[BaseModel]) -> None:
    """Called once by each document module for the resource it stores."""
    if code not in RESOURCES:
        raise KeyError(code)
    _models[code] = model


def model_of(code: str) -> type[BaseModel] | None:
    """The document model of a resource (None while its module is not imported)."""
    return _models.get(code)


def resource_of_collection(collection: str) -> ResourceSpec | None:
    return next((s for s in _SPECS if s.collection == collection), None)
