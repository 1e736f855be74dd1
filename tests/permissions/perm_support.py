"""Helpers for permission tests: users, contexts and a small catalogue in the database.

Imported by the tests as ``perm_support``; the fixture is re-exported by ``conftest.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.catalogue import SchoolYear, Subject
from models.rules.variables import UserContext, build_context
from models.user import TeachingAssignment, User

YEAR = "2025-2026"
MATHS_GROUP = "Tổ Toán – Tin học"
SCIENCE_GROUP = "Tổ Khoa học tự nhiên – Công nghệ"


def make_user(
    username: str = "gv.test",
    *,
    roles: list[str] | None = None,
    teaching: list[tuple[str, str]] | None = None,
    **fields: Any,
) -> User:
    return User(
        username=username,
        full_name=fields.pop("full_name", "Nguyễn Thị Lan"),
        roles=roles or [],
        teaching=[TeachingAssignment(class_name=c, subject=s) for c, s in teaching or []],
        **fields,
    )


def context(
    user: User, *, year: str | None = YEAR, group_subjects: tuple[str, ...] = ()
) -> UserContext:
    """A context built without the database."""
    return build_context(user, current_school_year=year, group_subjects=group_subjects)


@pytest.fixture
async def catalogue(mdb: Any) -> None:
    """The current school year, a past one, and subjects in two groups."""
    await SchoolYear.insert_many(
        [
            SchoolYear(
                code="2024-2025",
                starts_on=date(2024, 9, 5),
                term1_ends_on=date(2025, 1, 15),
                ends_on=date(2025, 5, 31),
            ),
            SchoolYear(
                code=YEAR,
                starts_on=date(2025, 9, 5),
                term1_ends_on=date(2026, 1, 15),
                ends_on=date(2026, 5, 31),
                is_current=True,
            ),
        ]
    )
    await Subject.insert_many(
        [
            Subject(code="TOAN", name="Toán", kind="score", group=MATHS_GROUP),
            Subject(code="TINHOC", name="Tin học", kind="score", group=MATHS_GROUP),
            Subject(code="KHTN", name="Khoa học tự nhiên", kind="score", group=SCIENCE_GROUP),
            Subject(code="GDTC", name="Giáo dục thể chất", kind="comment"),
        ]
    )
