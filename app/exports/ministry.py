"""The integration format «HOCBA-THCS 1.0»: which field of a pupil's record goes under which name.

This module is the one place the names live: the JSON and XML exports write through it, the
transfer-in import reads back through it, and ``schemas/hocba-thcs-1.0.schema.json`` and
``schemas/hocba-thcs-1.0.xsd`` describe the files it produces. The names follow the ministry's
database naming (Vietnamese words without diacritics, each word capitalised: «MaDinhDanh»,
«DiemTBCN»); levels keep the ministry's codes (T, K, Đ, CĐ). Another format is another module
with its own tables and schemas.

Only inputs and approved results travel: scores as assessed (ĐĐGtx, ĐĐGgk, ĐĐGck) and the
averages computed from them, so an import can recompute and check every average.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.grading import catalogue

from .sheet import plain

FORMAT = "HOCBA-THCS"
VERSION = "1.0"
SCHEMAS = Path(__file__).parent / "schemas"
JSON_SCHEMA = SCHEMAS / "hocba-thcs-1.0.schema.json"
XSD = SCHEMAS / "hocba-thcs-1.0.xsd"
XML_NAMESPACE = "urn:hocba:thcs:1.0"


@dataclass(frozen=True)
class Name:
    """A record path (relative to its container) and the format's name for it."""

    path: str
    name: str
    kind: str = "text"  # text | integer | date | code | mark | marks | number
    derived: bool = False  # computed by the grading rules: exported, recomputed on import
    parts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.path.split(".")))


# The file and one pupil.
ROOT = "HoSoHocBa"
HEADER = {"format": "DinhDang", "version": "PhienBan", "school": "TenTruong", "year": "NamHoc"}
PUPILS = "DanhSachHocSinh"
PUPIL_FIELDS = (
    Name("code", "MaHocSinh"),
    Name("moet_id", "MaDinhDanh"),
    Name("profile.full_name", "HoTen"),
    Name("profile.sex", "GioiTinh", "code"),
    Name("profile.birth_date", "NgaySinh", "date"),
    Name("profile.birth_place", "NoiSinh"),
    Name("profile.ethnicity", "DanToc"),
    Name("profile.nationality", "QuocTich"),
)
# One school year of a pupil.
YEARS = "KetQuaNamHoc"
YEAR_KEY = "NamHoc"
YEAR_FIELDS = (
    Name("grade", "KhoiLop", "integer"),
    Name("class_name", "TenLop"),
    Name("conduct.hk1", "RenLuyenHK1", "code"),
    Name("conduct.hk2", "RenLuyenHK2", "code"),
    Name("conduct.year", "RenLuyenCN", "code", derived=True),
    Name("conduct.after_summer", "RenLuyenSauHe", "code"),
    Name("learning.hk1", "HocTapHK1", "code", derived=True),
    Name("learning.hk2", "HocTapHK2", "code", derived=True),
    Name("learning.year", "HocTapCN", "code", derived=True),
    Name("learning.after_summer", "HocTapSauKTLai", "code", derived=True),
    Name("absences.hk1.excused", "NghiCoPhepHK1", "integer"),
    Name("absences.hk1.unexcused", "NghiKhongPhepHK1", "integer"),
    Name("absences.hk2.excused", "NghiCoPhepHK2", "integer"),
    Name("absences.hk2.unexcused", "NghiKhongPhepHK2", "integer"),
    Name("title", "DanhHieu", "code", derived=True),
    Name("promotion.label_vi", "XetLenLop", derived=True),
    Name("homeroom_comment", "NhanXetGVCN"),
)
# One subject in one year, and in one of its terms.
SUBJECTS = "KetQuaMonHoc"
SUBJECT_KEY = "MaMonHoc"
SUBJECT_NAME = "TenMonHoc"
SUBJECT_FIELDS = (
    Name("kind", "HinhThucDanhGia", "code"),
    Name("year_average", "DiemTBCN", "number", derived=True),
    Name("year_result", "MucDatCN", "code", derived=True),
    Name("reassessment", "DiemKTLai", "mark"),
    Name("comment", "NhanXetCN"),
)
TERMS = {"hk1": "HocKy1", "hk2": "HocKy2"}
TERM_FIELDS = (
    Name("tx", "DiemDGTX", "marks"),
    Name("gk", "DiemDGGK", "mark"),
    Name("ck", "DiemDGCK", "mark"),
    Name("average", "DiemTB", "number", derived=True),
    Name("result", "MucDat", "code", derived=True),
    Name("comment", "NhanXet"),
)
AWARDS = "KhenThuong"
AWARD_FIELDS = (
    Name("title", "NoiDung"),
    Name("level", "Cap"),
    Name("decision_no", "SoQuyetDinh"),
    Name("decided_on", "NgayQuyetDinh", "date"),
)
DISCIPLINE = "KyLuat"
DISCIPLINE_FIELDS = (
    Name("form", "HinhThuc"),
    Name("reason", "LyDo"),
    Name("decision_no", "SoQuyetDinh"),
    Name("decided_on", "NgayQuyetDinh", "date"),
)
# XML: the element of each item of a list.
XML_ITEMS = {
    PUPILS: "HocSinh",
    YEARS: "NamHocHS",
    SUBJECTS: "MonHoc",
    "DiemDGTX": "Diem",
    AWARDS: "QuyetDinhKhenThuong",
    DISCIPLINE: "QuyetDinhKyLuat",
}
SEX_CODES = {"nam": "Nam", "nu": "Nữ"}
SEX_FROM = {v: k for k, v in SEX_CODES.items()}
KIND_CODES = {"score": "DiemSo", "comment": "NhanXet"}
KIND_FROM = {v: k for k, v in KIND_CODES.items()}


# -- record -> format ----------------------------------------------------------------------
def pupil_entry(record: Mapping[str, Any], school_years: list[str] | None = None) -> dict[str, Any]:
    """One pupil of the file: the profile and the school years asked for (every year when
    ``school_years`` is None). ``record`` is approved and reduced to what the reader may read."""
    entry = _fields(record, PUPIL_FIELDS)
    years = record.get("years") or {}
    entry[YEARS] = [
        year_entry(key, years[key])
        for key in sorted(years)
        if isinstance(years[key], Mapping) and (school_years is None or key in school_years)
    ]
    return entry


def year_entry(school_year: str, year: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {YEAR_KEY: school_year, **_fields(year, YEAR_FIELDS)}
    names = catalogue()
    subjects = []
    for code, subject in sorted((year.get("subjects") or {}).items()):
        if not isinstance(subject, Mapping):
            continue
        item: dict[str, Any] = {
            SUBJECT_KEY: code,
            SUBJECT_NAME: names[code].name if code in names else code,
            **_fields(subject, SUBJECT_FIELDS),
        }
        for term, name in TERMS.items():
            values = _fields(subject.get(term) or {}, TERM_FIELDS)
            if values:
                item[name] = values
        subjects.append(item)
    entry[SUBJECTS] = subjects
    entry[AWARDS] = [_fields(a, AWARD_FIELDS) for a in year.get("awards") or []]
    entry[DISCIPLINE] = [_fields(d, DISCIPLINE_FIELDS) for d in year.get("discipline") or []]
    return entry


def _fields(source: Mapping[str, Any], names: tuple[Name, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        value: Any = source
        for part in name.parts:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or value == [] or value == "":
            continue
        out[name.name] = value if name.kind in PLAIN else _out(name, plain(value))
    return out


PLAIN = frozenset({"text", "integer"})  # written as stored


def _out(name: Name, value: Any) -> Any:
    if name.kind == "date":
        return value.date().isoformat() if isinstance(value, datetime) else str(value)
    if name.path == "profile.sex":
        return SEX_CODES.get(str(value), str(value))
    if name.path == "kind":
        return KIND_CODES.get(str(value), str(value))
    if name.kind == "marks":
        return [_mark_out(plain(v)) for v in value]
    if name.kind in ("mark", "number"):
        return _mark_out(value)
    return value


def _mark_out(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


# -- format -> record ----------------------------------------------------------------------
def year_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One school year of the file as a record's year (inputs only: the derived values are
    computed again by the grading rules when written; see ``derived_values``)."""
    year: dict[str, Any] = {}
    _put_fields(year, entry, YEAR_FIELDS)
    subjects: dict[str, Any] = {}
    for item in entry.get(SUBJECTS) or []:
        subject: dict[str, Any] = {}
        _put_fields(subject, item, SUBJECT_FIELDS)
        for term, name in TERMS.items():
            values: dict[str, Any] = {}
            _put_fields(values, item.get(name) or {}, TERM_FIELDS)
            subject[term] = values
        subjects[str(item[SUBJECT_KEY])] = subject
    year.update(subjects=subjects)
    year["awards"] = [_put_fields({}, a, AWARD_FIELDS) for a in entry.get(AWARDS) or []]
    year["discipline"] = [
        _put_fields({}, d, DISCIPLINE_FIELDS) for d in entry.get(DISCIPLINE) or []
    ]
    return year


def derived_values(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The derived values the file states for a year, by record path relative to the year
    (to compare with what the grading rules compute from its inputs)."""
    found: dict[str, Any] = {}
    for name in YEAR_FIELDS:
        if name.derived and name.name in entry:
            found[name.path] = _in(name, entry[name.name])
    for item in entry.get(SUBJECTS) or []:
        base = f"subjects.{item[SUBJECT_KEY]}"
        for name in SUBJECT_FIELDS:
            if name.derived and name.name in item:
                found[f"{base}.{name.path}"] = _in(name, item[name.name])
        for term, term_name in TERMS.items():
            for name in TERM_FIELDS:
                values = item.get(term_name) or {}
                if name.derived and name.name in values:
                    found[f"{base}.{term}.{name.path}"] = _in(name, values[name.name])
    return found


def profile_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The pupil's identity as the file states it (shown in the preview to compare)."""
    return _put_fields({}, entry, PUPIL_FIELDS)


def _put_fields(target: dict[str, Any], source: Mapping[str, Any], names: tuple[Name, ...]) -> Any:
    for name in names:
        if name.derived or name.name not in source:
            continue
        node = target
        parts = name.path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _in(name, source[name.name])
    return target


def _in(name: Name, value: Any) -> Any:
    if name.kind == "date":
        return date.fromisoformat(str(value))
    if name.path == "profile.sex":
        return SEX_FROM.get(str(value), str(value))
    if name.path == "kind":
        return KIND_FROM.get(str(value), str(value))
    if name.kind == "marks":
        return [_mark_in(v) for v in value]
    if name.kind in ("mark", "number"):
        return _mark_in(value)
    return value


def _mark_in(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return Decimal(str(value))
