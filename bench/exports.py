"""Benchmark of the exports: a class's record books and summaries, and a school year's file.

Run from the project root: ``python -m bench.exports`` (option ``--pupils``). It starts an
embedded server in its own process, seeds the demo school, grows one grade-9 class to 40 pupils
(each with every school year of their records, cloned from the class's own pupils), closes the
current year so the books are approved, then clones the school's pupils up to 10,000 for the
school-year file. Every export runs as the board's account through the same functions the
panel calls (the door's export scope, approved data, rendering, schema check, journal).

It prints exactly these three lines at the end (target: 40 record books ≤ 5 s on 2 cores)::

    record books, class of 40: N s
    summaries, class of 40: N s
    school-year export, 10,000 pupils: N s
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from argon2.profiles import CHEAPEST
from bson import ObjectId

from app.auth import passwords
from app.exports import files
from app.runtime import connected
from app.store import access_for
from bench._server import server_process
from bench.admin_list import bench_settings
from bench.scorebook import CLASS_SIZE, grow_class
from models.student import StudentRecord
from models.user import User
from seed.catalogue import CURRENT_YEAR
from seed.demo import seed_demo

SCHOOL = "Trường PTDTNT THCS (đo hiệu năng)"
BATCH = 200


async def approve_current_year() -> None:
    """Close the current year for everyone (as the board's approval would)."""
    await StudentRecord.get_pymongo_collection().update_many(
        {f"years.{CURRENT_YEAR}": {"$exists": True}},
        {"$set": {f"years.{CURRENT_YEAR}.locks.year.locked": True}},
    )


async def grow_school(total: int) -> int:
    """Clone stored pupils of this year (as stored: encrypted fields stay sealed) up to
    ``total``."""
    pupils = StudentRecord.get_pymongo_collection()
    sources = [raw async for raw in pupils.find({f"years.{CURRENT_YEAR}": {"$exists": True}})]
    count = len(sources)
    batch: list[dict[str, Any]] = []
    n = 0
    while count < total:
        clone = dict(sources[n % len(sources)])
        clone["_id"] = ObjectId()
        clone["code"] = f"CLONE{n:06d}"
        clone.pop("moet_id", None)
        # The file holds this year only (earlier years are never loaded: see year_fields).
        clone["years"] = {CURRENT_YEAR: clone["years"][CURRENT_YEAR]}
        batch.append(clone)
        n += 1
        count += 1
        if len(batch) == BATCH or count == total:
            await pupils.insert_many(batch)
            batch = []
    return count


async def timed(work: Awaitable[files.ExportFile]) -> tuple[float, files.ExportFile]:
    begin = time.perf_counter()
    export = await work
    return time.perf_counter() - begin, export


async def run(args: argparse.Namespace) -> None:
    passwords.use_parameters(CHEAPEST)
    with server_process() as uri:
        # A loaded machine answers a 10,000-pupil read slowly.
        settings = bench_settings(uri, mongodb_timeout_ms=300_000)
        async with connected(settings, uri):
            await seed_demo(students=120, seed=2025)
            board = await User.find_one({"roles": ["bgh"]})
            assert board is not None, "no board account in the demo school"
            klass = await StudentRecord.get_pymongo_collection().find_one(
                {"current.grade": 9}, {"current": 1}
            )
            assert klass is not None
            class_name = klass["current"]["class_name"]
            await grow_class(class_name)
            await approve_current_year()
            access = await access_for(board)
            where = {"school_year": CURRENT_YEAR, "class_name": class_name, "school": SCHOOL}

            books, export = await timed(files.class_record_books(access, **where))
            print(f"  record books of {class_name}: {len(export.data) // 1024} KiB")
            summaries, export = await timed(files.class_summaries(access, period="year", **where))
            print(f"  summaries of {class_name} in one PDF: {len(export.data) // 1024} KiB")
            zipped, export = await timed(
                files.class_summaries(access, period="year", as_zip=True, **where)
            )
            print(f"  summaries of {class_name} as a zip of 40 PDFs: {zipped:.2f} s")

            pupils = await grow_school(args.pupils)
            year_json, export = await timed(
                files.school_year_file(
                    access, school_year=CURRENT_YEAR, file_format="json", school=SCHOOL
                )
            )
            print(f"  JSON of {pupils} pupils: {len(export.data) // (1024 * 1024)} MiB")
            year_xml, export = await timed(
                files.school_year_file(
                    access, school_year=CURRENT_YEAR, file_format="xml", school=SCHOOL
                )
            )
            print(f"  XML of the same, validated against the XSD: {year_xml:.2f} s")
            workbook, _ = await timed(
                files.results_workbook(
                    access, school_year=CURRENT_YEAR, period="year", school=SCHOOL
                )
            )
            print(f"  Excel workbook of every class: {workbook:.2f} s")
    print(f"record books, class of {CLASS_SIZE}: {books:.2f} s")
    print(f"summaries, class of {CLASS_SIZE}: {summaries:.2f} s")
    print(f"school-year export, {args.pupils:,} pupils: {year_json:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pupils", type=int, default=10_000, help="pupils in the school year")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
