"""Benchmark of the permission engine's in-memory work per record.

Run from the project root: ``python -m bench.permissions`` (options: ``--records``,
``--repeat``). With the seeded roles, a gvbm's scope is computed once; then, as a list or
export page does for every record, the record-aware read rules are taken
(``Scope.fields_for``) and applied (``FieldRules.filter_document``). Records are full
four-year record books built beforehand (not timed). Target: 2,000 records per second.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from beanie.odm.utils.dump import get_dict
from pymongo import AsyncMongoClient

from app.db import init_models
from app.permissions.scope import Scope, compute_scope
from embedded_mongo import start_in_thread
from models.role import Action
from models.rules.variables import build_context
from models.student import StudentRecord
from models.student_parts import Placement, Profile, Sex
from models.user import TeachingAssignment, User

TARGET_PER_SECOND = 2_000
YEARS = ("2022-2023", "2023-2024", "2024-2025", "2025-2026")

# A fixed throw-away master key for the encrypted fields (every process of the bench shares it).
FIELD_KEY = bytes(range(96))


def _records(count: int) -> list[dict[str, Any]]:
    from datetime import date

    from tests.factories import full_year

    years = {y: full_year(grade=6 + i, class_name=f"{6 + i}A1") for i, y in enumerate(YEARS)}
    raws = []
    for index in range(count):
        cls = ("9A1", "9A2", "8A1")[index % 3]
        record = StudentRecord(
            code=f"HS{index:05d}",
            profile=Profile(
                full_name="Ksor Thị H'Lan", sex=Sex.FEMALE, birth_date=date(2011, 3, 2)
            ),
            current=Placement(school_year=YEARS[-1], grade=int(cls[0]), class_name=cls),
            years=years,
        )
        raws.append(get_dict(record, to_db=True))
    return raws


def _scope() -> Scope:
    from seed.roles import default_roles

    teacher = User(
        username="gv.bench",
        full_name="Giáo viên",
        roles=["gvbm"],
        teaching=[TeachingAssignment(class_name="9A1", subject=s) for s in ("TOAN", "TINHOC")]
        + [TeachingAssignment(class_name="8A1", subject="TOAN")],
    )
    ctx = build_context(teacher, current_school_year=YEARS[-1])
    return compute_scope(ctx, default_roles(), "students", Action.VIEW)


def run(records: int, repeat: int) -> float:
    scope = _scope()
    raws = _records(records)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for raw in raws:
            if scope.matches(raw):
                scope.fields_for(raw, "read").filter_document(raw)
        best = min(best, time.perf_counter() - start)
    return records / best


async def _with_documents(records: int, repeat: int) -> float:
    server = start_in_thread()  # Beanie documents need an initialised database to be built
    client: AsyncMongoClient[Any] = AsyncMongoClient(server.uri)
    try:
        await init_models(client, "bench_permissions", FIELD_KEY)
        return run(records, repeat)
    finally:
        await client.close()
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rate = asyncio.run(_with_documents(args.records, args.repeat))
    verdict = "OK" if rate >= TARGET_PER_SECOND else "BELOW TARGET"
    print(f"{rate:,.0f} records/s (target {TARGET_PER_SECOND:,}): {verdict}")


if __name__ == "__main__":
    main()
