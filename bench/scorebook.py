"""Benchmark of the subject score book: saving, the page, and the write path under load.

Run from the project root: ``python -m bench.scorebook`` (options: ``--repeat``, ``--seconds``).
It starts an embedded server in its own process, seeds a small demo school, grows one grade-9
class to 40 pupils (each with four years of records, cloned from the class's own pupils), and
runs the app in-process through httpx's ``ASGITransport`` as the class's mathematics teacher.

- one save of 40 changed cells (a column typed down the class) against one save of one cell,
  both ``POST /admin/my-classes/book/save`` in the same run, timed in blocks taken in turns
  (target: ≤ 3×);
- the book page of the 40 pupils against the pupil list page of the same teacher, timed the
  same way (≤ 1.5×);
- score updates per second through the write path (``Writer.update_many``, one cell per
  batch, as a save of one cell does), from 4 concurrent writers on distinct pupils (≥ 300).

It prints exactly these three lines at the end::

    save 40 changed cells: R x one cell
    score book page, 40 pupils: R x the pupil list page
    score updates/s through the write path, 4 writers: N
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
from argon2.profiles import CHEAPEST
from beanie import PydanticObjectId
from pymongo import AsyncMongoClient

from app.auth import passwords
from app.config import Settings
from app.runtime import connected
from app.store import access_for, system_writer
from app.store.fields import cipher
from app.store.writes import BatchItem
from bench._server import server_process
from bench.admin_list import BASE_URL, bench_settings, running_app
from models.common import WriteSource
from models.role import Action
from models.student import StudentRecord
from models.user import User
from seed.catalogue import CURRENT_YEAR
from seed.demo import SEED_ACTOR, seed_demo

CLASS_SIZE = 40
SUBJECT = "TOAN"
WRITERS = 4
CSRF_COOKIE = "starlette_admin_csrftoken"
BLOCKS = 3  # timed blocks of each kind of request, in turns
SETTLE = 3  # untimed requests of a block's kind before it is timed
# The marks typed, in this order of preference (every half mark on the scale after the first).
MARKS = ("6", "7", "8", *(f"{n / 2:g}" for n in range(21)))


async def grow_class(class_name: str) -> list[str]:
    """Clone the class's pupils (every year of their records) until it has CLASS_SIZE."""
    query = {f"years.{CURRENT_YEAR}.class_name": class_name}
    pupils = StudentRecord.get_pymongo_collection()
    existing = [
        StudentRecord.model_validate(await cipher().open(raw, "students"))
        async for raw in pupils.find(query)
    ]
    clones: list[StudentRecord] = []
    for n in range(CLASS_SIZE - len(existing)):
        source = existing[n % len(existing)]
        clone = source.model_copy(deep=True)
        clone.id = PydanticObjectId()
        clone.code = f"BENCH{n:04d}"
        clone.moet_id = None
        clone.profile.full_name = f"{source.profile.full_name} {chr(ord('A') + n % 26)}"
        clones.append(clone)
    writer = system_writer("students", SEED_ACTOR, source=WriteSource.SEED, reason="Bench")
    await writer.insert_many(clones)
    return [str(raw["_id"]) async for raw in pupils.find(query, {"_id": 1})]


async def prepare(settings: Settings, uri: str) -> tuple[str, str, str, list[str]]:
    """Seed; the (username, password, class) of a mathematics teacher of a grade-9 class."""
    async with connected(settings, uri):
        report = await seed_demo(students=120, seed=2025)
        teacher = await User.find_one(
            {"teaching": {"$elemMatch": {"subject": SUBJECT, "class_name": {"$regex": "^9"}}}}
        )
        assert teacher is not None, "no grade-9 mathematics teacher in the demo school"
        class_name = next(
            t.class_name
            for t in teacher.teaching
            if t.subject == SUBJECT and t.class_name.startswith("9")
        )
        ids = await grow_class(class_name)
    return teacher.username, report.created_users[teacher.username], class_name, ids


async def sign_in(app: Any, username: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
        base_url=BASE_URL,
        headers={"Accept-Language": "vi-VN,vi;q=0.9", "User-Agent": "bench.scorebook"},
        timeout=600,
    )
    page = await client.get("/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token, "no csrftoken on /login"
    data = {"username": username, "password": password, "csrftoken": token[1]}
    answer = await client.post("/login", data=data)
    assert answer.status_code == 303, answer.status_code
    await client.get("/admin/")
    return client


async def medians_of(
    repeat: int, first: Callable[[int], Awaitable[None]], second: Callable[[int], Awaitable[None]]
) -> tuple[float, float]:
    """The median times of two calls over ``repeat`` timed calls each. They are timed in
    blocks taken in turns (``BLOCKS`` of each), so that a machine slowing down or speeding up
    during the run weighs on both alike; each block starts with ``SETTLE`` untimed calls of
    its kind, so that neither pays for what the other left behind (garbage, cold caches)."""
    times: tuple[list[float], list[float]] = ([], [])
    per_block = -(-repeat // BLOCKS)
    while len(times[1]) < repeat:
        for call, timed in zip((first, second), times, strict=True):
            for _ in range(SETTLE):
                await call(-1)
            for i in range(min(per_block, repeat - len(timed))):
                begin = time.perf_counter()
                await call(i)
                timed.append(time.perf_counter() - begin)
    return statistics.median(times[0]), statistics.median(times[1])


async def http_measures(
    client: httpx.AsyncClient, book: dict[str, str], ids: list[str], repeat: int
) -> tuple[float, float]:
    headers = {"X-CSRFToken": client.cookies[CSRF_COOKIE]}
    page = await client.get("/admin/my-classes/book", params=book)
    data = re.search(r'<script type="application/json" id="book-data">(.*?)</script>', page.text)
    assert data, page.status_code
    rows = json.loads(data[1])["rows"]
    assert len(rows) == CLASS_SIZE, len(rows)
    # What the page last showed in column TX1 (sent back as "seen" with each save).
    shown: dict[str, Any] = {r["id"]: r["cells"]["tx1"]["raw"] for r in rows}

    def edits(rows: list[str]) -> list[dict[str, Any]]:
        # A mark none of the cells holds: every cell sent changes.
        held = {Decimal(shown[r]) for r in rows if shown[r] is not None}
        value = next(v for v in MARKS if Decimal(v) not in held)
        return [{"row": r, "col": "tx1", "text": value, "seen": shown[r]} for r in rows]

    async def save(rows: list[str]) -> None:
        answer = await client.post(
            "/admin/my-classes/book/save",
            json={"book": book, "edits": edits(rows)},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["counts"]["saved"] == len(rows), body
        for cell in body["cells"]:
            assert cell["raw"] != shown[cell["record_id"]], cell  # a changed cell
            shown[cell["record_id"]] = cell["raw"]

    one, column = await medians_of(repeat, lambda _: save(ids[:1]), lambda _: save(ids))
    print(
        f"  median save of one cell {one * 1000:.1f} ms, of {len(ids)} cells {column * 1000:.1f} ms"
    )

    async def get(url: str, params: dict[str, str] | None = None) -> None:
        answer = await client.get(url, params=params)
        assert answer.status_code == 200, (url, answer.status_code)

    book_page, list_page = await medians_of(
        repeat,
        lambda _: get("/admin/my-classes/book", book),
        lambda _: get("/admin/students/list"),
    )
    print(
        f"  median book page {book_page * 1000:.1f} ms, pupil list page {list_page * 1000:.1f} ms"
    )
    return column / one, book_page / list_page


async def writers_throughput(username: str, ids: list[str], seconds: float) -> float:
    """Score updates per second from WRITERS concurrent writers on distinct pupils."""
    user = await User.find_one({"username": username})
    access = await access_for(user)
    path = f"years.{CURRENT_YEAR}.subjects.{SUBJECT}.hk2.gk"
    done = 0
    deadline = time.perf_counter() + seconds

    async def writer(mine: list[str]) -> None:
        nonlocal done
        write = access.writer("students", Action.EDIT, source=WriteSource.GRID, reason="Bench")
        i = 0
        while time.perf_counter() < deadline:
            record = mine[i % len(mine)]
            value = str(5 + (i // len(mine)) % 5)
            outcomes = await write.update_many([BatchItem(record, {path: value})])
            assert outcomes[0].status in ("saved", "unchanged"), outcomes[0]
            done += 1
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(writer(ids[k::WRITERS]) for k in range(WRITERS)))
    return done / (time.perf_counter() - started)


async def run(args: argparse.Namespace) -> None:
    passwords.use_parameters(CHEAPEST)
    with server_process() as uri:
        settings = bench_settings(uri)
        username, password, class_name, ids = await prepare(settings, uri)
        book = {
            "kind": "subject",
            "year": CURRENT_YEAR,
            "class": class_name,
            "subject": SUBJECT,
            "term": "hk2",
        }
        async with running_app(settings, uri) as app:
            client = await sign_in(app, username, password)
            try:
                save_ratio, page_ratio = await http_measures(client, book, ids, args.repeat)
                rate = await writers_throughput(username, ids, args.seconds)
            finally:
                await client.aclose()
        mongo: AsyncMongoClient = AsyncMongoClient(uri)
        await mongo.close()
    print(f"save {CLASS_SIZE} changed cells: {save_ratio:.2f} x one cell")
    print(f"score book page, {CLASS_SIZE} pupils: {page_ratio:.2f} x the pupil list page")
    print(f"score updates/s through the write path, {WRITERS} writers: {rate:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per measure")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of the load test")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
