"""Benchmark of the board's progress dashboard against the pupil list page, same run.

Run from the project root: ``python -m bench.dashboards`` (options: ``--students``,
``--repeat``, ``--budget``). Like ``bench.admin_list`` (whose set-up it reuses), it starts an
embedded server on a loopback port in a thread, seeds the demo school (10,000 pupils by
default) and runs the app in-process through httpx's ``ASGITransport``. A board member (bgh,
no row filter) opens the first page of the pupil list and the progress dashboard
(``/admin/dashboards``), each timed over the same number of requests after one warm-up.

The dashboard reads the current year's subjects, results and placement of every pupil in the
reader's scope once, and keeps what it counted while the pupils are unchanged (checked on each
request by their number and latest write stamp; see ``app/dashboards/snapshot.py``); the
gradebooks, the subjects' and teachers' names and the tables computed from them are kept the
same way (``app/dashboards/kept.py``). The first request after a change pays the full read: it
is printed too. The bench waits until the
seed's latest write is older than the snapshot's settling time, as any school's data is
between two saves.

Target (issue 11): the dashboard's median within 2x the pupil list page's. Then it times the
approval chain's lock of one book (``bench.lock_book``, a 40-pupil class on a server of its own)
and prints that figure too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time

from argon2.profiles import CHEAPEST
from pymongo import AsyncMongoClient

from app.auth import passwords
from app.dashboards.snapshot import SETTLE
from bench import lock_book
from bench.admin_list import (
    bench_settings,
    choose_subjects,
    measure,
    running_app,
    seed,
    sign_in,
)
from embedded_mongo import ServerThread, start_in_thread

TARGET_RATIO = 2.0
LIST_URL = "/admin/students/list"
DASHBOARD_URL = "/admin/dashboards"


async def run(args: argparse.Namespace, server: ServerThread) -> None:
    settings = bench_settings(server.uri)
    passwords_by_user = await seed(settings, server.uri, args.students, args.seed)
    seeded = time.perf_counter()
    gc.collect()
    gc.freeze()  # see bench.admin_list: the database lives in this process
    mongo: AsyncMongoClient = AsyncMongoClient(server.uri)
    try:
        subjects = await choose_subjects(mongo, passwords_by_user)
    finally:
        await mongo.close()
    board = next(s for s in subjects if s.role == "bgh")
    async with running_app(settings, server.uri) as app:
        client = await sign_in(app, board)
        try:
            await asyncio.sleep(
                max(0.0, SETTLE.total_seconds() + 1 - (time.perf_counter() - seeded))
            )
            await client.get(LIST_URL)  # warm-up: templates, first-use caches
            begin = time.perf_counter()
            first = await client.get(DASHBOARD_URL)
            cold = time.perf_counter() - begin
            assert first.status_code == 200, f"dashboard: HTTP {first.status_code}"
            assert "by-class" in first.text, "the dashboard shows no table"
            listing = await measure(client, LIST_URL, args.repeat, args.budget, args.min_samples)
            dashboard = await measure(
                client, DASHBOARD_URL, args.repeat, args.budget, args.min_samples
            )
        finally:
            await client.aclose()
    ratio = dashboard.median / listing.median
    print(
        f"  pupil list page (bgh, first page): {listing.median * 1000:.0f} ms median, "
        f"p95 {listing.p95 * 1000:.0f} ms ({len(listing.times)} requests)"
    )
    print(
        f"  progress dashboard (bgh): {dashboard.median * 1000:.0f} ms median, "
        f"p95 {dashboard.p95 * 1000:.0f} ms ({len(dashboard.times)} requests); "
        f"first request after a change {cold * 1000:.0f} ms"
    )
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"  target: dashboard <= {TARGET_RATIO:g}x the list page ({verdict})")
    # The figures, one line each (the lock's line follows, from bench.lock_book).
    figures = [f"progress dashboard, {args.students:,} pupils: {ratio:.2f} x the pupil list page"]
    print()
    for line in figures:
        print(line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=20, help="requests per measure (max)")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per measure, once min-samples are in"
    )
    parser.add_argument("--min-samples", type=int, default=5)
    parser.add_argument("--lock-repeat", type=int, default=5, help="timed approvals of a book")
    args = parser.parse_args(argv)
    passwords.use_parameters(CHEAPEST)  # the seed's ~600 staff passwords, as in the tests
    server = start_in_thread()  # loopback, in memory
    print(f"Embedded server at {server.uri}")
    try:
        asyncio.run(run(args, server))
    finally:
        server.stop()
    asyncio.run(lock_book.run(argparse.Namespace(repeat=args.lock_repeat)))


if __name__ == "__main__":
    main()
