"""The app under test for the browser tests, in its own process.

Run by ``tests/browser/conftest.py`` as ``python -m tests.browser.app_server``. It seeds the demo
school into a fresh database (or, with ``--copy-of``, copies one seeded once for the session with
``--seed-only``), starts the real app with uvicorn on a free loopback port in
development mode (cookies without ``Secure``, so a browser over plain http keeps them) and writes
a JSON report (port and demo accounts) once the app answers. A process of its own because Beanie
binds its document classes to one client per process, and the test process has its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from argon2.profiles import CHEAPEST
from pymongo import AsyncMongoClient

from app.auth import passwords
from app.config import Settings
from app.main import create_app
from app.runtime import connected
from seed.demo import seed_demo


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mongo-uri", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--students", type=int, default=140)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument(
        "--seed-only", action="store_true", help="seed the database, write the report, stop"
    )
    parser.add_argument(
        "--copy-of", metavar="DB", help="copy this database (seeded with --seed-only) instead"
    )
    return parser.parse_args(argv)


async def _copy_database(client: AsyncMongoClient, source: str, target: str) -> None:
    """Every collection of ``source`` into ``target`` as stored, by the server itself (ids,
    stamps, encrypted fields: the master key is the same for every app under test)."""
    for name in await client[source].list_collection_names():
        if not name.startswith("system."):
            copy = await client[source][name].aggregate([{"$out": {"db": target, "coll": name}}])
            await copy.to_list()


def _write_report(path: Path, report: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)  # atomic: the parent never reads half a file


def _announce_when_ready(app: object, server: uvicorn.Server, report: dict, path: Path) -> None:
    """Write the report once uvicorn listens and the app has initialised its models."""
    deadline = time.monotonic() + 60
    state = app.state  # type: ignore[attr-defined]
    while time.monotonic() < deadline:
        if server.started and getattr(state, "models_ready", False):
            _write_report(path, report)
            return
        time.sleep(0.05)
    print("app_server: the app did not become ready within 60 s", file=sys.stderr)


def _exit_with_parent(server: uvicorn.Server, parent: int) -> None:
    """Stop when the test process is gone (killed pytest), instead of lingering."""
    while not server.should_exit:
        if os.getppid() != parent:
            server.should_exit = True
            return
        time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    os.environ["ENV"] = "development"
    # Test-only: the cheapest argon2 parameters, as in tests/conftest.py.
    passwords.use_parameters(CHEAPEST)
    settings = Settings(
        _env_file=None,  # a developer's .env must not leak into the test app
        env="development",
        secret_key=secrets.token_urlsafe(48),
        mongodb_uri=args.mongo_uri,
        mongodb_db=args.db,
        host="127.0.0.1",
    )

    async def seed() -> dict[str, str]:
        async with connected(settings, args.mongo_uri) as client:
            if args.copy_of:
                await _copy_database(client, args.copy_of, args.db)
                return {}
            report = await seed_demo(students=args.students, seed=args.seed)
        return report.created_users

    started = time.perf_counter()
    users = asyncio.run(seed())
    seed_seconds = time.perf_counter() - started
    if args.seed_only:
        _write_report(args.report, {"users": users, "seed_seconds": round(seed_seconds, 2)})
        return 0

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # loopback only, a port nobody else holds
    port = sock.getsockname()[1]

    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    report = {"port": port, "users": users, "seed_seconds": round(seed_seconds, 2)}
    threading.Thread(
        target=_announce_when_ready, args=(app, server, report, args.report), daemon=True
    ).start()
    threading.Thread(target=_exit_with_parent, args=(server, os.getppid()), daemon=True).start()
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
