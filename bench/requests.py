"""What one request costs: database commands per request, access computations per request, and
the stamped writer against a raw update of the same change.

Run from the project root: ``python -m bench.requests`` (``--students`` for the school size,
387 by default, the demo school). It starts its own embedded server on a loopback port in a
thread, seeds the demo school, and runs the app in-process through httpx's ``ASGITransport``
(the change-log worker off, as production runs it as its own process). Every command the app's
database client sends is counted with PyMongo's command monitoring; nothing leaves the machine.

Measured as a subject teacher (row filter on their classes, field rules on their subjects):

- ``PATCH score``: one ``PATCH /api/v1/students/{id}`` of a mid-term score they teach;
- ``panel pupil list page``: ``GET /admin/students/list`` (rows are rendered server-side);
- ``panel pupil detail page``: ``GET /admin/students/detail?pk=…``;
- ``scope computations per request``: how many times the signed-in user's access (account,
  roles, catalogue values) is worked out per request (each (resource, action) scope is then
  computed from it at most once);
- ``writer vs raw update``: the median time of the writer's score update on a four-year record
  over the median of a raw ``find_one_and_update`` of the same change on the same server.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from decimal import Decimal
from typing import Any

import httpx
from argon2.profiles import CHEAPEST
from bson.decimal128 import Decimal128
from pymongo import AsyncMongoClient, ReturnDocument, monitoring

from app.auth import passwords
from app.config import Settings
from app.context import Actor
from app.runtime import connected
from app.store import scope_computations, system_writer
from bench.admin_list import DB_NAME, Subject, bench_settings, running_app, seed, sign_in
from embedded_mongo import ServerThread, start_in_thread
from models.common import WriteSource
from seed.catalogue import CURRENT_YEAR

WRITER = Actor(id="bench", name="Đo hiệu năng", role="system")


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


COUNTER = CommandCounter()
monitoring.register(COUNTER)  # before any client exists: every client reports to it


async def counted(call: Any) -> tuple[httpx.Response, list[str], int]:
    """The response, the database commands sent while it was made, and the access builds."""
    builds = scope_computations()
    builds.clear()
    COUNTER.names.clear()
    response = await call()
    return response, list(COUNTER.names), len(builds)


async def request_costs(settings: Settings, uri: str, passwords_by_user: dict[str, str]) -> None:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    try:
        db = mongo[DB_NAME]
        # A subject teacher of maths (a score-graded subject) and a pupil they teach.
        user = await db.users.find_one(
            {"roles": ["gvbm"], "teaching.subject": "TOAN"}, sort=[("username", 1)]
        )
        assert user is not None
        assignment = next(t for t in user["teaching"] if t["subject"] == "TOAN")
        pupil = await db.students.find_one(
            {"current.class_name": assignment["class_name"], "current.school_year": CURRENT_YEAR}
        )
        assert pupil is not None
        teacher = Subject(
            role="gvbm",
            username=user["username"],
            password=passwords_by_user[user["username"]],
            visible_classes=[],
            search="",
            class_name=assignment["class_name"],
        )
    finally:
        await mongo.close()
    path = f"years.{CURRENT_YEAR}.subjects.{assignment['subject']}.hk2.gk"  # hk1 is locked
    async with running_app(settings, uri) as app:
        client = await sign_in(app, teacher)
        await client.get("/admin/students/list")  # warm-up: templates, index checks
        csrf = client.cookies.get("starlette_admin_csrftoken") or ""
        pk = str(pupil["_id"])

        def patch(value: str) -> Any:
            return lambda: client.patch(
                f"/api/v1/students/{pk}",
                json={"changes": {path: value}},
                headers={"X-CSRFToken": csrf},
            )

        await patch("6")()
        scores = []
        for value in ("7", "7,5"):
            answer, names, builds = await counted(patch(value))
            assert answer.status_code == 200, answer.text
            scores.append((names, builds))
        pages = {
            "list": lambda: client.get("/admin/students/list"),
            "detail": lambda: client.get(f"/admin/students/detail?pk={pk}"),
        }
        costs = {}
        for name, call in pages.items():
            await call()
            answer, names, builds = await counted(call)
            assert answer.status_code == 200, (name, answer.status_code)
            costs[name] = (names, builds)
        await client.aclose()
    names, builds = scores[-1]
    print(f"PATCH score: {len(names)} database commands")
    print(f"panel pupil list page: {len(costs['list'][0])} database commands")
    print(f"panel pupil detail page: {len(costs['detail'][0])} database commands")
    print(f"scope computations per request: {max(builds, *(c[1] for c in costs.values()))}")
    for label, sent in (
        ("PATCH", names),
        ("list", costs["list"][0]),
        ("detail", costs["detail"][0]),
    ):
        print(f"  ({label}: {', '.join(sent)})")


async def writer_against_raw(settings: Settings, uri: str, repeat: int) -> None:
    async with connected(settings, uri):
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
        students = mongo[DB_NAME].students
        record = await students.find_one({"years": {"$exists": True}}, sort=[("code", 1)])
        four = await students.find_one(
            {"current.grade": 9, "current.school_year": CURRENT_YEAR}, sort=[("code", 1)]
        )
        record = four or record
        assert record is not None
        years = sorted(record["years"])
        subjects = record["years"][CURRENT_YEAR]["subjects"]
        subject = next(code for code, s in subjects.items() if s.get("kind") == "score")
        path = f"years.{CURRENT_YEAR}.subjects.{subject}.hk2.gk"
        writer = system_writer("students", WRITER, source=WriteSource.API)
        values = [Decimal(v) / 2 for v in range(8, 20)]
        writer_times, raw_times = [], []
        for i in range(repeat):
            value = values[i % len(values)]
            started = time.perf_counter()
            await writer.update_stored(record["_id"], {path: value})
            writer_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            await students.find_one_and_update(
                {"_id": record["_id"]},
                {"$set": {path: Decimal128(value)}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
            )
            raw_times.append(time.perf_counter() - started)
        await mongo.close()
    w, r = statistics.median(writer_times), statistics.median(raw_times)
    print(
        f"  (record of {len(years)} school years; writer {w * 1000:.1f} ms, raw {r * 1000:.1f} ms)"
    )
    print(f"writer vs raw update: {w / r:.1f} x")


async def run(args: argparse.Namespace, server: ServerThread) -> None:
    settings = bench_settings(server.uri)
    passwords_by_user = await seed(settings, server.uri, args.students, args.seed)
    gc.collect()
    gc.freeze()
    await request_costs(settings, server.uri, passwords_by_user)
    await writer_against_raw(settings, server.uri, args.repeat)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=None, help="pupils (demo school: 387)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=60, help="updates timed per side")
    args = parser.parse_args(argv)
    passwords.use_parameters(CHEAPEST)
    server = start_in_thread()
    try:
        asyncio.run(run(args, server))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
