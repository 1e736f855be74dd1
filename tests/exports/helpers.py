"""Reading exported files back, and making a school year approved."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from pypdf import PdfReader

from app.clock import utcnow
from app.records.compute import derive_year
from app.store.stored import stored_form
from models.student import StudentRecord
from tests.factories import full_year

GLYPHS = "ạ ắ ề ở ữ ự Đ"


def pdf_text(data: bytes) -> str:
    """The text of every page, NFC (as the records store it)."""
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


async def give_year(
    code: str, year: str, *, lock: bool, teacher: str | None = None, **fields: Any
) -> None:
    """Fill ``code``'s school year with full results (and close it when ``lock``), as the
    score books and the approval chain would have left it."""
    raw = await StudentRecord.get_pymongo_collection().find_one({"code": code})
    assert raw is not None
    stored = raw["years"][year]
    filled = full_year(grade=stored["grade"], class_name=stored["class_name"], **fields)
    if lock:
        filled.locks.year.locked = True
        filled.locks.year.by = "bgh.ht"
        filled.locks.year.at = utcnow()
    filled.homeroom_teacher = teacher or stored.get("homeroom_teacher")
    filled.homeroom_comment = "Em chăm ngoan, tiến bộ rõ rệt; cần cố gắng thêm môn Ngữ văn."
    derive_year(filled)
    await StudentRecord.get_pymongo_collection().update_one(
        {"_id": raw["_id"]}, {"$set": {f"years.{year}": stored_form(filled)}}
    )
