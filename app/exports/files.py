"""Every export the school hands out, from the request's access to a journalled file.

Each function finds the pupils through the door with the export scope (404 outside it),
keeps what is approved and readable, renders the file, checks it where it has a schema,
journals who took it, and answers an :class:`ExportFile`.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from app.dashboards.results import Results, export_results
from app.errors import InvalidInput, NotFound
from app.store import Access, Found
from models.exports import ExportKind
from models.role import Action
from models.student_parts import TERM_LABELS

from . import integration, ministry, tables
from .journal import journal
from .record_book import class_record_books_pdf, record_book_pdf
from .records import class_query, exported, exported_found, exported_one, official, sheets
from .sheet import PERIOD_LABELS, PERIOD_NAMES, PERIODS
from .summary import SummaryRequest, class_summaries_pdf, summary_pdf

PDF = "application/pdf"
ZIP = "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
MEDIA = {"json": "application/json", "xml": "application/xml"}
YEAR = re.compile(r"^(\d{4})-(\d{4})$")
EMPTY_CLASS = "Không có học sinh nào của lớp {class_name} năm học {year} trong phạm vi của bạn"
# A zip entry per pupil: a zip of a class stays well under what a browser downloads at once.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    file_name: str
    media_type: str

    @property
    def headers(self) -> dict[str, str]:
        """Sent as an attachment, never cached; the name in ASCII and, for browsers that read
        it, UTF-8."""
        disposition = (
            f"attachment; filename=\"{self.file_name}\"; filename*=UTF-8''{quote(self.file_name)}"
        )
        return {"Content-Disposition": disposition, "Cache-Control": "no-store"}


def slug(text: str) -> str:
    """ASCII for a file name: «Cả năm 7A1» -> «ca-nam-7a1»."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower() or "tep"


def check_year(school_year: str) -> str:
    match = YEAR.match(school_year or "")
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise InvalidInput("Năm học không hợp lệ (ví dụ đúng: 2025-2026)", field="school_year")
    return school_year


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise InvalidInput("Hãy chọn Học kỳ I, Học kỳ II hoặc Cả năm", field="period")
    return period


def latest_year(record: Mapping[str, Any]) -> str | None:
    current = (record.get("current") or {}).get("school_year")
    years = sorted(record.get("years") or {})
    return current if current in years else (years[-1] if years else None)


# -- one pupil -------------------------------------------------------------------------------
async def pupil_summary(
    access: Access, record_id: str, *, school_year: str | None, period: str, school: str
) -> ExportFile:
    """A pupil's summary for staff: the pupil found in their export scope (404 outside it)."""
    found = await exported_found(access, record_id)
    return await summary_of(access, found, school_year=school_year, period=period, school=school)


async def summary_of(
    access: Access, found: Found, *, school_year: str | None, period: str, school: str
) -> ExportFile:
    """The summary of one pupil already found through the door by the caller (staff through
    their export scope; a parent's download through the parent's own scope): approved results
    and readable fields only, journalled as ``access``'s download."""
    record = official(found)
    year = check_year(school_year) if school_year else latest_year(record)
    if year is None:
        raise NotFound("Học sinh chưa có năm học nào trong học bạ")
    request = SummaryRequest(year, check_period(period))
    (pupil,) = await sheets([record])
    name = f"phieu-bao-{slug(pupil.code)}-{year}-{slug(PERIOD_LABELS[period])}.pdf"
    data = summary_pdf(pupil, request, school=school)
    await journal(
        access,
        ExportKind.SUMMARY,
        file_format="pdf",
        file_name=name,
        description=f"Phiếu báo {PERIOD_NAMES[period]} năm học {year}: {pupil.full_name}",
        pupil_codes=[pupil.code],
        school_year=year,
    )
    return ExportFile(data, name, PDF)


async def pupil_record_book(access: Access, record_id: str, *, school: str) -> ExportFile:
    record = await exported_one(access, record_id)
    (pupil,) = await sheets([record])
    name = f"hoc-ba-{slug(pupil.code)}.pdf"
    data = record_book_pdf(pupil, school=school)
    await journal(
        access,
        ExportKind.RECORD_BOOK,
        file_format="pdf",
        file_name=name,
        description=f"Học bạ của {pupil.full_name}",
        pupil_codes=[pupil.code],
    )
    return ExportFile(data, name, PDF)


# -- a class -------------------------------------------------------------------------------
async def _class(access: Access, school_year: str, class_name: str) -> list[dict[str, Any]]:
    check_year(school_year)
    class_name = class_name.strip()
    records = await exported(access, class_query(school_year, class_name)) if class_name else []
    if not records:
        raise NotFound(EMPTY_CLASS.format(class_name=class_name or "?", year=school_year))
    return sorted(records, key=_by_name)


def _by_name(record: Mapping[str, Any]) -> tuple[str, str]:
    """Class lists in the order of given names, as schools print them."""
    name = str((record.get("profile") or {}).get("full_name") or "")
    return (name.split(" ")[-1].lower() + " " + name.lower(), str(record.get("code") or ""))


async def class_summaries(
    access: Access,
    *,
    school_year: str,
    class_name: str,
    period: str,
    school: str,
    as_zip: bool = False,
) -> ExportFile:
    """A class's summaries: one PDF, or a zip with one PDF per pupil."""
    records = await _class(access, school_year, class_name)
    request = SummaryRequest(school_year, check_period(period))
    pupils = await sheets(records)
    base = f"phieu-bao-lop-{slug(class_name)}-{school_year}-{slug(PERIOD_LABELS[period])}"
    if as_zip:
        files = {
            f"phieu-bao-{slug(p.code)}-{slug(p.full_name)}.pdf": summary_pdf(
                p, request, school=school
            )
            for p in pupils
        }
        export = ExportFile(zipped(files), f"{base}.zip", ZIP)
    else:
        data = class_summaries_pdf(pupils, request, school=school, class_name=class_name)
        export = ExportFile(data, f"{base}.pdf", PDF)
    await journal(
        access,
        ExportKind.SUMMARY,
        file_format="zip" if as_zip else "pdf",
        file_name=export.file_name,
        description=f"Phiếu báo {PERIOD_NAMES[period]} lớp {class_name}",
        pupil_codes=[p.code for p in pupils],
        school_year=school_year,
        class_name=class_name,
    )
    return export


async def class_record_books(
    access: Access, *, school_year: str, class_name: str, school: str
) -> ExportFile:
    records = await _class(access, school_year, class_name)
    pupils = await sheets(records)
    name = f"hoc-ba-lop-{slug(class_name)}-{school_year}.pdf"
    data = class_record_books_pdf(pupils, school=school, class_name=class_name)
    await journal(
        access,
        ExportKind.RECORD_BOOK,
        file_format="pdf",
        file_name=name,
        description=f"Học bạ lớp {class_name} năm học {school_year}",
        pupil_codes=[p.code for p in pupils],
        school_year=school_year,
        class_name=class_name,
    )
    return ExportFile(data, name, PDF)


def zipped(files: Mapping[str, bytes]) -> bytes:
    """A zip of ``files`` with fixed dates (the same files give the same archive)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data)
    return out.getvalue()


# -- a school year -------------------------------------------------------------------------
def in_year(school_year: str) -> dict[str, Any]:
    """The pupils with ``school_year`` in their book (asked of the year's class, which every
    year holds: a query only finds rows by fields the reader may read)."""
    return {f"years.{school_year}.class_name": {"$exists": True}}


def year_fields(school_year: str) -> tuple[str, ...]:
    """What a school-year file loads of each record: the identity the format carries and that
    year only (not the guardians, whose phones would each cost a decryption)."""
    identity = (n.path for n in ministry.PUPIL_FIELDS)
    return (*identity, "status", "current", f"years.{school_year}")


async def school_year_file(
    access: Access, *, school_year: str, file_format: str, school: str
) -> ExportFile:
    """Every pupil of ``school_year`` in the user's export scope, as JSON or XML."""
    check_year(school_year)
    if file_format not in MEDIA:
        raise InvalidInput("Định dạng tệp phải là JSON hoặc XML", field="format")
    query = in_year(school_year)
    records = await exported(access, query, only=year_fields(school_year))
    document = integration.integration_document(records, school=school, school_year=school_year)
    if file_format == "json":
        data = integration.json_file(document)
    else:
        data = integration.xml_file(document)
    name = f"hoc-ba-{school_year}.{file_format}"
    await journal(
        access,
        ExportKind.INTEGRATION,
        file_format=file_format,
        file_name=name,
        description=f"Dữ liệu liên thông năm học {school_year} ({file_format.upper()})",
        pupil_codes=[str(r.get("code") or "") for r in records],
        school_year=school_year,
    )
    return ExportFile(data, name, MEDIA[file_format])


async def results_workbook(
    access: Access, *, school_year: str, period: str, school: str
) -> ExportFile:
    check_year(school_year)
    check_period(period)
    query = in_year(school_year)
    records = await exported(access, query, only=year_fields(school_year))
    data = tables.results_workbook(records, school_year=school_year, period=period, school=school)
    name = f"ket-qua-cac-lop-{school_year}-{slug(PERIOD_LABELS[period])}.xlsx"
    await journal(
        access,
        ExportKind.WORKBOOK,
        file_format="xlsx",
        file_name=name,
        description=f"Kết quả các lớp, {PERIOD_NAMES[period]} năm học {school_year}",
        pupil_codes=[str(r.get("code") or "") for r in records],
        school_year=school_year,
    )
    return ExportFile(data, name, XLSX)


async def results_statistics(
    access: Access, stats: Results, *, school_year: str, school: str
) -> ExportFile:
    """The dashboards' results statistics (computed from what ``access`` may read) as an
    Excel workbook; it names no pupil, so the journal counts the pupils it covers."""
    data = export_results(stats, school_name=school, school_year=school_year)
    period = slug(TERM_LABELS[stats.period])  # "ca-nam", as the other exports name it
    name = f"thong-ke-ket-qua-{period}-{school_year}.xlsx"
    await journal(
        access,
        ExportKind.RESULTS_STATISTICS,
        file_format="xlsx",
        file_name=name,
        description=(
            f"Thống kê kết quả {stats.period_phrase}, năm học {school_year} "
            f"({len(stats.classes)} lớp, {stats.total.pupils} học sinh)"
        ),
        pupil_count=stats.total.pupils,
        school_year=school_year,
    )
    return ExportFile(data, name, XLSX)


# -- the pupil list ------------------------------------------------------------------------
LIST_FIELDS = ("code", "moet_id", "profile", "status", "current")


async def pupil_list(
    access: Access,
    query: Mapping[str, Any],
    *,
    sort: Sequence[tuple[str, int]] = (),
    file_name: str = "danh-sach-hoc-sinh.csv",
) -> ExportFile:
    """Every pupil the list's search and filters match (not one page), as CSV."""
    handle = access.handle("students", Action.EXPORT)
    if not handle.allowed:
        raise NotFound("Không có học sinh nào để xuất")
    found = await handle.find(query, sort=list(sort) or [("code", 1)], only=LIST_FIELDS)
    rows = [f.visible for f in found]
    readable = access.scope("students", Action.VIEW).readable
    data = tables.pupil_list_csv(rows, readable)
    name = file_name
    await journal(
        access,
        ExportKind.PUPIL_LIST,
        file_format="csv",
        file_name=name,
        description=f"Danh sách học sinh theo bộ lọc ({len(rows)} học sinh)",
        pupil_codes=[str(r.get("code") or "") for r in rows],
    )
    return ExportFile(data, name, CSV)
