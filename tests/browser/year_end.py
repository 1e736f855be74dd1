"""Ends the demo school's current year for the promotion browser test, in a process of its own
(Beanie binds its documents to one client per process): every pupil's results entered through
the write path, the year locked except in the classes left open, and next year with its
classes in the catalogue.

    python -m tests.browser.year_end --mongo-uri URI --db NAME finish --open 6A2
    python -m tests.browser.year_end --mongo-uri URI --db NAME lock
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date

from app.config import Settings
from app.context import SYSTEM_ACTOR
from app.runtime import connected
from app.store import system_writer
from app.store.directory import classes_of, school_year_codes
from models.catalogue import SchoolClass, SchoolYear
from models.common import WriteSource
from models.student import StudentRecord
from models.student_parts import SchoolYearRecord
from seed.catalogue import CURRENT_YEAR
from tests.factories import full_year

NEXT_YEAR = "2026-2027"
PENDING_EVERY, RETAINED_EVERY = 11, 13  # every n-th pupil (by code) waits / stays


def _writer(resource: str):  # type: ignore[no-untyped-def]
    return system_writer(resource, SYSTEM_ACTOR, source=WriteSource.SEED, reason="Kết thúc năm học")


async def _pupils() -> list[dict]:  # type: ignore[type-arg]
    cursor = StudentRecord.get_pymongo_collection().find(
        {"current.school_year": CURRENT_YEAR, "status": "studying"}, {"current": 1, "code": 1}
    )
    return sorted([p async for p in cursor], key=lambda p: p["code"])


async def finish(open_classes: set[str]) -> None:
    years, _ = await school_year_codes()
    if NEXT_YEAR not in years:
        start = int(NEXT_YEAR[:4])
        await _writer("school_years").insert(
            SchoolYear(
                code=NEXT_YEAR,
                starts_on=date(start, 9, 5),
                term1_ends_on=date(start + 1, 1, 15),
                ends_on=date(start + 1, 5, 31),
            )
        )
    known = {c["name"] for c in await classes_of(NEXT_YEAR)}
    for klass in await classes_of(CURRENT_YEAR):
        if klass["name"] not in known:
            await _writer("classes").insert(
                SchoolClass(school_year=NEXT_YEAR, name=klass["name"], grade=klass["grade"])
            )
    writer = _writer("students")
    for index, pupil in enumerate(await _pupils()):
        current = pupil["current"]
        year = full_year(
            grade=current["grade"],
            class_name=current["class_name"],
            score="3" if index % PENDING_EVERY == 3 else "8",
            absences=50 if index % RETAINED_EVERY == 5 else 0,
        )
        year.locks.year.locked = current["class_name"] not in open_classes
        await writer.update(pupil["_id"], {f"years.{CURRENT_YEAR}": year}, allow_lock_paths=True)


async def lock() -> None:
    writer = _writer("students")
    for pupil in await _pupils():
        raw = await StudentRecord.get_pymongo_collection().find_one(
            {"_id": pupil["_id"]}, {f"years.{CURRENT_YEAR}": 1}
        )
        year = SchoolYearRecord.model_validate(raw["years"][CURRENT_YEAR])
        year.locks.year.locked = True
        await writer.update(pupil["_id"], {f"years.{CURRENT_YEAR}": year}, allow_lock_paths=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mongo-uri", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("step", choices=["finish", "lock"])
    parser.add_argument("--open", nargs="*", default=[])
    args = parser.parse_args(argv)
    settings = Settings(
        _env_file=None, env="development", mongodb_uri=args.mongo_uri, mongodb_db=args.db
    )

    async def run() -> None:
        async with connected(settings, args.mongo_uri):
            await (finish(set(args.open)) if args.step == "finish" else lock())

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
