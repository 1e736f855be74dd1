"""The official record book («Học bạ», form of Thông tư 22/2021/TT-BGDĐT) as a PDF.

A profile page, then one page per school year: every subject (ĐTBmhk I, II, cả năm, or Đ / CĐ
for comment subjects, and the re-assessment), conduct and learning results, absences,
promotion, title, awards and discipline, the homeroom teacher's comment and the signature
blocks. Same data, same bytes (see ``pdf.Document``).
"""

from __future__ import annotations

from collections.abc import Sequence

from .pdf import Document, output
from .sheet import PupilSheet, YearSheet

TITLE = "HỌC BẠ"
LEVEL = "TRUNG HỌC CƠ SỞ"
NONE = "Không"


def record_book_pdf(pupil: PupilSheet, *, school: str) -> bytes:
    document = Document(title=f"{TITLE} - {pupil.full_name}", school=school)
    record_book_pages(document, pupil)
    return output(document)


def class_record_books_pdf(pupils: Sequence[PupilSheet], *, school: str, class_name: str) -> bytes:
    """The record books of a class in one PDF (each pupil starts on a new page)."""
    document = Document(title=f"{TITLE} - Lớp {class_name}", school=school)
    for pupil in pupils:
        record_book_pages(document, pupil)
    return output(document)


def record_book_pages(document: Document, pupil: PupilSheet) -> None:
    _profile_page(document, pupil)
    for year in pupil.years:
        _year_page(document, pupil, year)


def _profile_page(document: Document, pupil: PupilSheet) -> None:
    document.add_page()
    document.state_header()
    document.ln(6)
    document.write_line(TITLE, size=24, style="B", align="C")
    document.write_line(LEVEL, size=14, style="B", align="C")
    document.ln(2)
    document.write_line(document.school, size=11, align="C")
    document.ln(8)
    document.field("Họ và tên", pupil.full_name)
    document.field("Mã học sinh", pupil.code)
    if pupil.moet_id:
        document.field("Mã định danh", pupil.moet_id)
    document.field("Giới tính", pupil.sex)
    document.field("Ngày sinh", pupil.birth_date)
    document.field("Nơi sinh", pupil.birth_place)
    document.field("Dân tộc", pupil.ethnicity)
    document.field("Quốc tịch", pupil.nationality)
    document.field("Đối tượng chính sách", pupil.policy_category or NONE)
    document.field("Nơi thường trú", pupil.address)
    document.field("Chỗ ở hiện nay", pupil.current_address)
    for relation, name, occupation in pupil.guardians:
        details = f"{name}, nghề nghiệp: {occupation}" if occupation else name
        document.field(f"Họ và tên {relation.lower()}", details)
    document.ln(4)
    document.write_line("QUÁ TRÌNH HỌC TẬP", size=11, style="B", align="C")
    document.ln(1)
    document.table(
        ["Năm học", "Lớp", "Tên trường"],
        [[y.school_year, y.class_name, document.school] for y in pupil.years],
        [35.0, 25.0, 120.0],
        aligns=["C", "C", "L"],
    )
    document.signatures(
        [("", ""), ("Hiệu trưởng", "Ký, ghi rõ họ tên và đóng dấu")],
        place_date="Ngày ...... tháng ...... năm ........",
    )


def _year_page(document: Document, pupil: PupilSheet, year: YearSheet) -> None:
    document.add_page()
    document.write_line(
        f"Họ và tên: {pupil.full_name}    Lớp: {year.class_name}    Năm học: {year.school_year}",
        size=10.5,
        style="B",
    )
    document.ln(1)
    document.write_line("KẾT QUẢ HỌC TẬP CÁC MÔN HỌC VÀ HOẠT ĐỘNG GIÁO DỤC", style="B", align="C")
    document.table(
        [
            "Môn học / hoạt động giáo dục",
            "Học kỳ I",
            "Học kỳ II",
            "Cả năm",
            "Kiểm tra lại",
            "Nhận xét",
        ],
        [[s.name, s.hk1, s.hk2, s.year, s.reassessment, s.comment] for s in year.subjects],
        [50.0, 17.0, 17.0, 17.0, 22.0, 57.0],
        size=8.5,
        aligns=["L", "C", "C", "C", "C", "L"],
    )
    document.ln(2)
    document.write_line("KẾT QUẢ RÈN LUYỆN, HỌC TẬP VÀ CHUYÊN CẦN", style="B", align="C")
    document.table(
        ["", "Rèn luyện", "Học tập", "Số buổi nghỉ (có phép / không phép)"],
        [
            [label, year.conduct[key], year.learning[key], _absent(year, key)]
            for key, label in (("hk1", "Học kỳ I"), ("hk2", "Học kỳ II"), ("year", "Cả năm"))
        ]
        + [
            [
                "Sau rèn luyện hè / kiểm tra lại",
                year.conduct["after_summer"],
                year.learning["after_summer"],
                "",
            ]
        ],
        [55.0, 35.0, 35.0, 55.0],
        size=8.5,
    )
    document.ln(2)
    document.field("Xét lên lớp", year.promotion or "Chưa xét", width=50)
    document.field("Danh hiệu", year.title or NONE, width=50)
    document.field("Khen thưởng", "; ".join(year.awards) or NONE, width=50)
    document.field("Kỷ luật", "; ".join(year.discipline) or NONE, width=50)
    document.ln(1)
    document.write_line("Nhận xét của giáo viên chủ nhiệm:", style="B")
    document.write_line(year.homeroom_comment or "")
    document.signatures(
        [
            ("Giáo viên chủ nhiệm", _signer(year.homeroom_teacher)),
            ("Hiệu trưởng", "Ký, ghi rõ họ tên và đóng dấu"),
        ],
        place_date="Ngày ...... tháng ...... năm ........",
    )


def _absent(year: YearSheet, key: str) -> str:
    if key not in year.absences:
        return ""
    excused, unexcused = year.absences[key]
    return f"{excused + unexcused} ({excused} / {unexcused})"


def _signer(name: str) -> str:
    return f"Ký, ghi rõ họ tên: {name}" if name else "Ký, ghi rõ họ tên"
