"""Shortcuts for the chain's tests: the Toán book of 7A1 and the accounts that act on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.context import SYSTEM_ACTOR
from app.scorebook.books import BookKey, load_book
from app.store import Access, access_for, system_writer
from app.workflow import chain
from app.workflow.chain import GapReasons
from models.common import WriteSource
from models.student import StudentRecord
from tests.admin.school import YEAR, School

TOAN_HK1 = BookKey("subject", YEAR, "7A1", "hk1", "TOAN")
SCORES = f"years.{YEAR}.subjects.TOAN.hk1"


async def as_user(school: School, username: str) -> Access:
    return await access_for(school.users[username])


async def fill_book(
    school: School, codes: tuple[str, ...] = ("HS7A101", "HS7A102", "HS7A103")
) -> None:
    """Every assessment of the Toán book entered for ``codes`` (by the teacher's rights)."""
    teacher = await as_user(school, "gv.toan")
    writer = teacher.writer("students", "edit", source=WriteSource.GRID)
    marks = [Decimal("8"), Decimal("7"), Decimal("9"), Decimal("6")]
    for code in codes:
        await writer.update(
            school.pupil_id(code),
            {f"{SCORES}.tx": marks, f"{SCORES}.gk": Decimal("7"), f"{SCORES}.ck": Decimal("8")},
        )


async def raw(school: School, code: str) -> dict[str, Any]:
    found = await StudentRecord.get_pymongo_collection().find_one({"code": code})
    assert found is not None
    return found


def lock_of(record: dict[str, Any], book: str = "TOAN", term: str = "hk1") -> dict[str, Any]:
    return record["years"][YEAR]["subjects"][book]["locks"][term]


async def seen_versions(access: Access, key: BookKey = TOAN_HK1) -> dict[str, int]:
    book = await load_book(access, key)
    return {row.id: row.version for row in book.rows}


async def through_check(school: School, key: BookKey = TOAN_HK1) -> None:
    """The book filled, submitted by its teacher and checked by the group head."""
    await fill_book(school)
    await chain.submit(await as_user(school, "gv.toan"), key, GapReasons())
    await chain.check(await as_user(school, "tt.toan"), key, "Đủ điểm, đúng quy chế")


async def approved(school: School, key: BookKey = TOAN_HK1) -> None:
    await through_check(school, key)
    board = await as_user(school, "bgh.ht")
    await chain.approve(board, key, await seen_versions(board, key), "Đồng ý")


async def slip_in(school: School, code: str, path: str, value: Any) -> None:
    """A change that bypasses the book's locks (as a tool with lock rights would)."""
    writer = system_writer("students", SYSTEM_ACTOR, source=WriteSource.SYSTEM, reason="Sửa ngoài")
    await writer.update_stored(school.pupil_id(code), {path: value}, allow_lock_paths=True)
