"""The printed documents on their own: Vietnamese text extracted back as written, fonts embedded
in the file, every part of the Thông tư 22 form present, the same data giving the same bytes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.exports.pdf import FONTS
from app.exports.record_book import class_record_books_pdf, record_book_pdf
from app.exports.sheet import pupil_sheet
from app.exports.summary import SummaryRequest, class_summaries_pdf, summary_pdf
from app.records.compute import derive_year
from tests.exports.helpers import GLYPHS, nfc, pdf_pages, pdf_text
from tests.factories import full_year

SCHOOL = "Trường PTDTNT THCS Đắk Glong"
NAME = "Hoàng Thị Ánh Nguyệt"


def record(**profile: Any) -> dict[str, Any]:
    six = full_year(grade=6, class_name="6A1", score="7")
    seven = full_year(grade=7, class_name="7A1", score="9")
    for year in (six, seven):
        derive_year(year)
    seven.homeroom_comment = f"Chữ mẫu: {GLYPHS} — chăm ngoan, tự giác."
    seven.subjects["TOAN"].reassessment = None
    return {
        "code": "HS0001",
        "moet_id": "079213000123",
        "status": "studying",
        "profile": {
            "full_name": NAME,
            "sex": "nu",
            "birth_date": date(2013, 9, 2),
            "birth_place": "Xã Quảng Sơn, huyện Đắk Glong",
            "ethnicity": "Ê Đê",
            "nationality": "Việt Nam",
            "guardians": [
                {"relation": "me", "full_name": "Lê Thị Hường", "occupation": "Làm nông"}
            ],
            **profile,
        },
        "years": {
            "2024-2025": six.model_dump(),
            "2025-2026": {
                **seven.model_dump(),
                "awards": [{"title": "Giải Ba Hội khỏe Phù Đổng", "level": "huyện"}],
            },
        },
    }


def test_vietnamese_glyphs_survive_the_round_trip() -> None:
    text = pdf_text(record_book_pdf(pupil_sheet(record()), school=SCHOOL))
    assert nfc(GLYPHS) in text
    assert nfc(NAME) in text
    assert nfc(SCHOOL) in text


def test_fonts_are_embedded_and_shipped_with_their_licence() -> None:
    data = summary_pdf(pupil_sheet(record()), SummaryRequest("2025-2026", "year"), school=SCHOOL)
    assert b"/FontFile2" in data  # the TrueType program is inside the file
    assert b"DejaVuSerifCondensed" in data
    assert "Bitstream" in (FONTS / "LICENSE").read_text(encoding="utf-8")


def test_record_book_follows_the_form() -> None:
    data = record_book_pdf(pupil_sheet(record()), school=SCHOOL)
    assert pdf_pages(data) == 3  # profile page, then one page per school year
    text = pdf_text(data)
    for part in (
        "HỌC BẠ",
        "TRUNG HỌC CƠ SỞ",
        "QUÁ TRÌNH HỌC TẬP",
        "Ê Đê",
        "Xã Quảng Sơn, huyện Đắk Glong",
        "Lê Thị Hường, nghề nghiệp: Làm nông",
        "KẾT QUẢ HỌC TẬP CÁC MÔN HỌC VÀ HOẠT ĐỘNG GIÁO DỤC",
        "Kiểm tra lại",
        "Sau rèn luyện hè / kiểm tra lại",
        "Xét lên lớp: Được lên lớp",
        "Danh hiệu: Học sinh Xuất sắc",
        "Khen thưởng: Giải Ba Hội khỏe Phù Đổng, cấp huyện",
        "Giáo viên chủ nhiệm",
        "Hiệu trưởng",
        "Năm học: 2024-2025",
        "Năm học: 2025-2026",
    ):
        assert nfc(part) in text, part
    assert "Ngữ văn 9 9 9" in text  # ĐTBmhk I, II, cả năm
    assert "Giáo dục thể chất Đạt Đạt Đạt" in text


def test_same_data_same_bytes() -> None:
    first = record_book_pdf(pupil_sheet(record()), school=SCHOOL)
    second = record_book_pdf(pupil_sheet(record()), school=SCHOOL)
    assert first == second
    changed = record_book_pdf(pupil_sheet(record(birth_place="Đắk Nông")), school=SCHOOL)
    assert changed != first
    batch = [pupil_sheet(record()), pupil_sheet(record(full_name="Y Đức Ayun"))]
    assert class_record_books_pdf(batch, school=SCHOOL, class_name="7A1") == class_record_books_pdf(
        batch, school=SCHOOL, class_name="7A1"
    )


@pytest.mark.parametrize(
    ("period", "present", "absent"),
    [
        ("hk1", ["Học kỳ I - Năm học 2025-2026", "Số buổi nghỉ: 0"], ["Danh hiệu", "Kiểm tra lại"]),
        ("year", ["Cả năm - Năm học 2025-2026", "Danh hiệu: Học sinh Xuất sắc"], []),
    ],
)
def test_summary_per_term_or_year(period: str, present: list[str], absent: list[str]) -> None:
    text = pdf_text(
        summary_pdf(pupil_sheet(record()), SummaryRequest("2025-2026", period), school=SCHOOL)
    )
    for part in [nfc(NAME), "Lớp: 7A1", "Kết quả rèn luyện: Tốt", *present]:
        assert part in text
    for part in absent:
        assert part not in text
    assert "Cha mẹ học sinh" in text
    assert "Hiệu trưởng" in text


def test_a_class_of_summaries_is_one_page_per_pupil() -> None:
    batch = [pupil_sheet(record(full_name=f"Học Sinh {n}")) for n in range(4)]
    data = class_summaries_pdf(
        batch, SummaryRequest("2025-2026", "hk2"), school=SCHOOL, class_name="7A1"
    )
    assert pdf_pages(data) == 4
    assert all(f"Học Sinh {n}" in pdf_text(data) for n in range(4))
