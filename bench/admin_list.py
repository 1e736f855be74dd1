"""Benchmark of the pupil list in the panel, with and without a row filter.

Run from the project root: ``python -m bench.admin_list`` (options: ``--students``, ``--repeat``,
``--budget``, ``--profile``). It starts its own embedded server on a loopback port in a thread,
seeds the demo school (10,000 pupils by default; argon2 at its cheapest, as in the tests, so the
seed is not dominated by hashing ~600 staff passwords), and runs the app in-process through
httpx's ``ASGITransport`` (lifespan included; the change-log worker off, as production runs it
as its own process). Nothing leaves the machine.

How starlette-admin 1.0.3 loads list rows: the list page is rendered on the server in one
request (``GET /admin/students/list?page=&page_size=&sort=&q=&filter=``: ``find_all`` for the
page, ``count`` for the total, ``serialize`` per row, Jinja template). Its JavaScript fetches no
rows (no ``/admin/api/...`` call); search and filters reload the page. So the panel numbers
below are the whole cost of a page of rows. A list page leaves each record's school years
(most of a record, shown by no column) in the database unless a row filter reads them. The
app's own JSON API (``/api/v1/students``, same scopes, used by integrations; it returns whole
records) is timed alongside for comparison.

Signed-in users: a bgh (principal; no row filter), a gvcn (homeroom class + taught classes) and a
gvbm (taught classes). For each: the first page of the list, a search by name typed without
diacritics (``q=``), and a class filter (panel ``filter=class_name__eq=…``; API
``class_name=…``). Each measure is bounded by ``--repeat`` requests and ``--budget`` seconds
(but takes at least ``--min-samples``), after one warm-up request per surface. The bgh is
also timed on each filtered user's own requests (their search term, their class). Target: a
row-filtered user's median within 1.3x of the bgh's on the same request.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import re
import secrets
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from argon2.profiles import CHEAPEST
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from app.auth import passwords
from app.config import Settings
from app.main import create_app
from app.runtime import connected
from embedded_mongo import ServerThread, start_in_thread
from seed.catalogue import CURRENT_YEAR
from seed.demo import seed_demo

TARGET_RATIO = 1.3
BASE_URL = "http://bench.local"
DB_NAME = "hocba_bench"
USERS = ("bgh", "gvcn", "gvbm")
MEASURES = ("list", "search", "class")
TOTAL = re.compile(r"tổng số (\d+) bản ghi")


@dataclass
class Sample:
    times: list[float] = field(default_factory=list)  # seconds
    status: int = 0
    total: int | None = None  # rows matching, as the page or the API reports it

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class Subject:
    role: str
    username: str
    password: str
    visible_classes: list[str]  # [] for every class (no row filter)
    search: str  # a name without diacritics, of a pupil this user can see
    class_name: str  # a class this user can see


# -- set-up ----------------------------------------------------------------------------------
async def seed(settings: Settings, uri: str, students: int, seed_value: int) -> dict[str, str]:
    async with connected(settings, uri):
        started = time.perf_counter()
        report = await seed_demo(students=students, seed=seed_value)
        elapsed = time.perf_counter() - started
    print(
        f"Seeded {report.created_students:,} pupils, {len(report.created_users)} accounts and "
        f"{report.classes} class-years in {elapsed:.1f} s "
        f"({report.created_students / elapsed:,.0f} pupils/s)"
    )
    return report.created_users


async def choose_subjects(client: Any, passwords_by_user: dict[str, str]) -> list[Subject]:
    """A bgh, a homeroom teacher (not a group head) and a plain subject teacher."""
    db = client[DB_NAME]
    users = [u async for u in db.users.find({}, sort=[("username", 1)])]

    def teaching(user: dict[str, Any]) -> list[str]:
        return sorted({t["class_name"] for t in user.get("teaching", [])})

    bgh = next(u for u in users if u["roles"] == ["bgh"])
    gvcn = next(u for u in users if "gvcn" in u["roles"] and "tocm" not in u["roles"])
    gvbm = next(u for u in users if u["roles"] == ["gvbm"])
    subjects = []
    for role, user, classes in (
        ("bgh", bgh, []),
        ("gvcn", gvcn, sorted(set(gvcn["homeroom_classes"]) | set(teaching(gvcn)))),
        ("gvbm", gvbm, teaching(gvbm)),
    ):
        class_name = (classes or sorted(gvcn["homeroom_classes"]))[0]
        pupil = await db.students.find_one(
            {"current.class_name": class_name, "current.school_year": CURRENT_YEAR},
            {"search_name": 1},
            sort=[("code", 1)],
        )
        assert pupil is not None, f"no pupil in {class_name}"
        subjects.append(
            Subject(
                role=role,
                username=user["username"],
                password=passwords_by_user[user["username"]],
                visible_classes=classes,
                search=pupil["search_name"],
                class_name=class_name,
            )
        )
    return subjects


@asynccontextmanager
async def running_app(settings: Settings, uri: str) -> AsyncIterator[Any]:
    """The app with its lifespan started, once its models are initialised."""
    app = create_app(settings, mongo_uri=uri)
    async with app.router.lifespan_context(app):
        for _ in range(600):
            if getattr(app.state, "models_ready", False):
                break
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError("the app did not initialise its models within 30 s")
        yield app


async def sign_in(app: Any, subject: Subject) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
        base_url=BASE_URL,
        headers={"Accept-Language": "vi-VN,vi;q=0.9", "User-Agent": "bench.admin_list"},
        timeout=600,
    )
    page = await client.get("/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token, "no csrftoken on /login"
    answer = await client.post(
        "/login",
        data={"username": subject.username, "password": subject.password, "csrftoken": token[1]},
    )
    assert answer.status_code == 303, f"sign-in of {subject.username}: {answer.status_code}"
    assert not answer.headers["location"].startswith("/login"), answer.headers["location"]
    return client


# -- measuring -------------------------------------------------------------------------------
def requests_for(subject: Subject) -> dict[tuple[str, str], str]:
    """(surface, measure) -> URL."""
    panel = "/admin/students/list"
    api = "/api/v1/students"
    class_filter = f"class_name__eq={subject.class_name}"
    return {
        ("panel", "list"): panel,
        ("panel", "search"): f"{panel}?{urlencode({'q': subject.search})}",
        ("panel", "class"): f"{panel}?{urlencode({'filter': class_filter})}",
        ("api", "list"): f"{api}?per_page=25",
        ("api", "search"): f"{api}?{urlencode({'q': subject.search, 'per_page': 25})}",
        ("api", "class"): f"{api}?{urlencode({'class_name': subject.class_name, 'per_page': 25})}",
    }


def total_of(response: httpx.Response) -> int | None:
    if response.status_code != 200:
        return None
    if response.headers.get("content-type", "").startswith("application/json"):
        return int(response.json()["total"])
    match = TOTAL.search(response.text)
    return int(match[1]) if match else None


async def measure(
    client: httpx.AsyncClient, url: str, repeat: int, budget: float, min_samples: int
) -> Sample:
    """At most ``repeat`` requests; stops after ``budget`` seconds once it has ``min_samples``."""
    sample = Sample()
    started = time.perf_counter()
    for _ in range(max(repeat, min_samples)):
        begin = time.perf_counter()
        response = await client.get(url)
        sample.times.append(time.perf_counter() - begin)
        sample.status, sample.total = response.status_code, total_of(response)
        if response.status_code != 200:
            sample.times.clear()
            break
        if time.perf_counter() - started > budget and len(sample.times) >= min_samples:
            break
    return sample


def report(who: str, surface: str, measure_name: str, sample: Sample) -> None:
    shown = f"{sample.median * 1000:.0f} ms" if sample.times else "no timing"
    print(
        f"  {who:<12} {surface:<5} {measure_name:<6} "
        f"HTTP {sample.status} {shown} ({len(sample.times)} requests)",
        flush=True,
    )


def print_table(
    subjects: list[Subject],
    results: dict[tuple[str, str, str], Sample],
    baselines: dict[str, Sample],
) -> None:
    """One row per user and measure; a row-filtered user's median is compared with the bgh's
    on the very same request (same search term, same class), so the ratio measures the row
    filter and not a difference between the pupils shown (a grade-8 record holds three years,
    a grade-6 one a single year)."""
    by_role = {s.role: s for s in subjects}
    header = (
        f"{'surface':<6} {'measure':<7} {'user':<5} {'rows':>6} {'n':>3} "
        f"{'median ms':>10} {'p95 ms':>9} {'bgh same ms':>12} {'ratio':>6}"
    )
    print()
    print(header)
    print("-" * len(header))
    worst = 0.0
    for surface in ("panel", "api"):
        for measure_name in MEASURES:
            for role in USERS:
                sample = results[(surface, measure_name, role)]
                if not sample.times:
                    print(
                        f"{surface:<6} {measure_name:<7} {role:<5} "
                        f"{'—':>6} {0:>3} {'HTTP ' + str(sample.status):>10}"
                    )
                    continue
                base_ms = ratio = ""
                base = baselines.get(requests_for(by_role[role])[(surface, measure_name)])
                if role != "bgh" and base is not None and base.times:
                    value = sample.median / base.median
                    worst = max(worst, value) if surface == "panel" else worst
                    base_ms, ratio = f"{base.median * 1000:.0f}", f"{value:.2f}"
                rows = "?" if sample.total is None else f"{sample.total:,}"
                print(
                    f"{surface:<6} {measure_name:<7} {role:<5} {rows:>6} {len(sample.times):>3} "
                    f"{sample.median * 1000:>10.0f} {sample.p95 * 1000:>9.0f} "
                    f"{base_ms:>12} {ratio:>6}"
                )
    print()
    for role in USERS:
        s = by_role[role]
        scope = ", ".join(s.visible_classes) if s.visible_classes else "every class"
        print(f"  {role}: {s.username} — sees {scope}; search {s.search!r}; class {s.class_name}")
    verdict = "met" if worst <= TARGET_RATIO else "MISSED"
    print(
        f"\nWorst panel ratio filtered/unfiltered (median vs bgh, same request): {worst:.2f} "
        f"(target <= {TARGET_RATIO}: {verdict})"
    )


# -- profiling -------------------------------------------------------------------------------
def _stats_text(profile: cProfile.Profile, limit: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


async def profile_request(
    server: ServerThread, client: httpx.AsyncClient, url: str, repeat: int, limit: int
) -> None:
    """cProfile of the app (this thread) and of the database server (its own thread)."""
    app_profile, db_profile = cProfile.Profile(), cProfile.Profile()
    db_loop = server._loop  # enable/disable act on the calling thread: run them on the server's
    main_loop = asyncio.get_running_loop()
    stopped = asyncio.Event()

    def stop_db_profile() -> None:
        db_profile.disable()
        main_loop.call_soon_threadsafe(stopped.set)

    db_loop.call_soon_threadsafe(db_profile.enable)
    app_profile.enable()
    try:
        for _ in range(repeat):
            await client.get(url)
    finally:
        app_profile.disable()
        db_loop.call_soon_threadsafe(stop_db_profile)
        await stopped.wait()
    print(f"\n=== profile: {url} x{repeat} — app (request handling, this thread) ===")
    print(_stats_text(app_profile, limit))
    print("=== profile: database server thread (embedded MongoDB) ===")
    print(_stats_text(db_profile, limit))


# -- main ------------------------------------------------------------------------------------
def bench_settings(uri: str, **overrides: Any) -> Settings:
    """The app's settings for a bench run against the embedded server at ``uri``."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
        env="development",
        secret_key=secrets.token_urlsafe(48),
        mongodb_uri=uri,
        mongodb_db=DB_NAME,
        # The change-log worker would first write a baseline entry for each of the pupils, in
        # the background, competing with the requests timed here; production runs it as its
        # own process (`hocba changelog-worker`).
        changelog_worker_in_app=False,
        **overrides,
    )


async def run(args: argparse.Namespace, server: ServerThread) -> None:
    settings = bench_settings(server.uri)
    passwords_by_user = await seed(settings, server.uri, args.students, args.seed)
    # The database lives in this process (a thread), unlike in production: without this,
    # Python's full garbage collections walk its millions of objects and stall a request now
    # and then for seconds (a p95 of 2.7 s was seen), which measures nothing about the app.
    gc.collect()
    gc.freeze()
    mongo: AsyncMongoClient = AsyncMongoClient(server.uri)
    try:
        subjects = await choose_subjects(mongo, passwords_by_user)
    finally:
        await mongo.close()

    results: dict[tuple[str, str, str], Sample] = {}
    async with running_app(settings, server.uri) as app:
        clients = {s.role: await sign_in(app, s) for s in subjects}
        try:
            # One warm-up per surface (template compilation, first-use caches), not timed.
            for surface_url in ("/admin/students/list", "/api/v1/students?per_page=25"):
                await clients["bgh"].get(surface_url)
            baselines: dict[str, Sample] = {}  # URL -> the bgh's timing of it
            for subject in subjects:
                for (surface, measure_name), url in requests_for(subject).items():
                    sample = await measure(
                        clients[subject.role], url, args.repeat, args.budget, args.min_samples
                    )
                    results[(surface, measure_name, subject.role)] = sample
                    report(subject.role, surface, measure_name, sample)
                    if subject.role == "bgh":
                        baselines[url] = sample
            # The bgh on each filtered user's own requests (their search term and class).
            for subject in subjects:
                for (surface, measure_name), url in requests_for(subject).items():
                    if url not in baselines:
                        baselines[url] = sample = await measure(
                            clients["bgh"], url, args.repeat, args.budget, args.min_samples
                        )
                        report(f"bgh as {subject.role}", surface, measure_name, sample)
            print_table(subjects, results, baselines)
            if args.profile:
                by_role = {s.role: s for s in subjects}
                for role in args.profile:
                    url = requests_for(by_role[role])[("panel", args.profile_measure)]
                    try:
                        await profile_request(
                            server, clients[role], url, args.profile_repeat, args.profile_lines
                        )
                    except PyMongoError as exc:
                        # Profiling slows the server thread down several times; once one
                        # command blocks its loop past the driver's 20 s heartbeat timeout,
                        # the client gives up on the server.
                        print(
                            f"\nprofiling {role} failed ({type(exc).__name__}): the database "
                            "thread was blocked too long; profile with fewer --students."
                        )
                        break
        finally:
            for client in clients.values():
                await client.aclose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=20, help="requests per measure (max)")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per measure, once min-samples are in"
    )
    parser.add_argument("--min-samples", type=int, default=3)
    parser.add_argument(
        "--profile",
        nargs="*",
        choices=USERS,
        default=None,
        help="after the table, cProfile a panel page for these users (app and database)",
    )
    parser.add_argument(
        "--profile-measure", choices=MEASURES, default="list", help="the panel page to profile"
    )
    parser.add_argument("--profile-repeat", type=int, default=3)
    parser.add_argument("--profile-lines", type=int, default=25)
    parser.add_argument(
        "--real-hashing",
        action="store_true",
        help="hash the demo passwords with the production argon2 cost (slower seed)",
    )
    args = parser.parse_args(argv)
    if not args.real_hashing:
        passwords.use_parameters(CHEAPEST)
    server = start_in_thread()  # loopback, in memory
    print(f"Embedded server at {server.uri}")
    try:
        asyncio.run(run(args, server))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
