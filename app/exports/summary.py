"""The exported summary («Phiếu báo kết quả học tập») of one pupil for one term or year.

``summary_pdf`` renders one pupil from an approved record (the panel uses it; a parent's
download can call it too); ``class_summaries_pdf`` prints a class in one file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .pdf import Document, output
from .sheet import PERIOD_LABELS, PERIOD_NAMES, PupilSheet, YearSheet

TITLE = "PHIẾU BÁO KẾT QUẢ HỌC TẬP"
NOT_YET = "Chưa có kết quả được duyệt"


@dataclass(frozen=True)
class SummaryRequest:
    school_year: str
    period: str  # hk1, hk2 or year


def summary_pdf(pupil: PupilSheet, request: SummaryRequest, *, school: str) -> bytes:
    """One pupil's summary as a PDF file."""
    document = _document(school, f"{TITLE} - {pupil.full_name}")
    summary_pages(document, pupil, request)
    return output(document)


def class_summaries_pdf(
    pupils: Sequence[PupilSheet], request: SummaryRequest, *, school: str, class_name: str
) -> bytes:
    """Every pupil's summary of a class in one PDF, one pupil per page."""
    document = _document(school, f"{TITLE} - Lớp {class_name}")
    for pupil in pupils:
        summary_pages(document, pupil, request)
    return output(document)


def _document(school: str, title: str) -> Document:
    return Document(title=title, school=school)


def summary_pages(document: Document, pupil: PupilSheet, request: SummaryRequest) -> None:
    document.add_page()
    document.state_header()
    period = PERIOD_LABELS[request.period]
    document.write_line(TITLE, size=14, style="B", align="C")
    document.write_line(f"{period} - Năm học {request.school_year}", size=11, align="C")
    document.ln(3)
    year = pupil.year(request.school_year)
    document.field("Họ và tên học sinh", pupil.full_name)
    document.field("Mã học sinh", pupil.code)
    document.field("Ngày sinh", pupil.birth_date)
    document.field("Lớp", year.class_name if year else "")
    document.field("Giáo viên chủ nhiệm", year.homeroom_teacher if year else "")
    document.ln(2)
    if year is None:
        document.write_line(NOT_YET, style="I")
        return
    _results(document, year, request.period)
    _homeroom(document, year, request.period)
    document.signatures(
        [
            ("Cha mẹ học sinh", "Ký, ghi rõ họ tên"),
            ("Giáo viên chủ nhiệm", "Ký, ghi rõ họ tên"),
            ("Hiệu trưởng", "Ký, đóng dấu"),
        ],
        place_date="Ngày ...... tháng ...... năm ........",
    )


def _results(document: Document, year: YearSheet, period: str) -> None:
    document.write_line("1. Kết quả học tập các môn học", style="B")
    if period == "year":
        headers = ["Môn học", "Học kỳ I", "Học kỳ II", "Cả năm", "Kiểm tra lại"]
        widths = [70.0, 27.5, 27.5, 27.5, 27.5]
        rows = [[s.name, s.hk1, s.hk2, s.year, s.reassessment] for s in year.subjects]
    else:
        headers = ["Môn học", f"Điểm trung bình / Mức đạt {PERIOD_NAMES[period]}"]
        widths = [90.0, 90.0]
        rows = [[s.name, s.period(period)] for s in year.subjects]
    document.table(headers, rows, widths)
    document.ln(2)


def _homeroom(document: Document, year: YearSheet, period: str) -> None:
    document.write_line("2. Rèn luyện, học tập và chuyên cần", style="B")
    document.field("Kết quả rèn luyện", year.conduct.get(period) or NOT_YET, width=55)
    document.field("Kết quả học tập", year.learning.get(period) or NOT_YET, width=55)
    if period == "year":
        document.field("Danh hiệu", year.title or "Không", width=55)
        if year.promotion:
            document.field("Xét lên lớp", year.promotion, width=55)
    document.field("Số buổi nghỉ", year.absent(period), width=55)
    if period == "year":
        document.ln(1)
        document.write_line("3. Nhận xét của giáo viên chủ nhiệm", style="B")
        document.write_line(year.homeroom_comment or "Chưa có nhận xét được duyệt")
        document.ln(1)
        document.write_line("4. Khen thưởng, kỷ luật", style="B")
        for award in year.awards:
            document.write_line(f"Khen thưởng: {award}")
        for item in year.discipline:
            document.write_line(f"Kỷ luật: {item}")
        if not year.awards and not year.discipline:
            document.write_line("Không có")
