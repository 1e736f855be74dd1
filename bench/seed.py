"""Seeding benchmark: the demo school scaled to N pupils.

Against the embedded server (started in its own process) by default, and against a real MongoDB
when MONGODB_URI is set (a fresh database is used and dropped afterwards).
Run: python -m bench.seed [--students 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time

from pymongo import AsyncMongoClient

from app.auth import passwords
from app.db import init_models
from bench._server import server_process
from seed.demo import seed_demo

# A fixed throw-away master key for the encrypted fields (every process of the bench shares it).
FIELD_KEY = bytes(range(96))


async def _run(uri: str, students: int, where: str) -> None:
    client: AsyncMongoClient = AsyncMongoClient(uri, uuidRepresentation="standard")
    name = f"bench_seed_{secrets.token_hex(3)}"
    try:
        await init_models(client, name, FIELD_KEY)
        started = time.perf_counter()
        report = await seed_demo(students=students)
        elapsed = time.perf_counter() - started
        pupils = report.created_students
        print(
            f"{where}: {pupils} pupils, {len(report.created_users)} accounts, "
            f"{report.classes} classes in {elapsed:.1f} s ({pupils / elapsed:.0f} pupils/s)"
        )
        rerun = time.perf_counter()
        again = await seed_demo(students=students)
        print(
            f"{where}: second run (idempotent) created {again.created_students} pupils in "
            f"{time.perf_counter() - rerun:.1f} s"
        )
    finally:
        await client.drop_database(name)
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=10_000)
    args = parser.parse_args()
    # Staff passwords are hashed with the production argon2id cost: that is part of seeding.
    assert passwords.DEFAULT_PARAMETERS.memory_cost >= 64 * 1024
    uri = os.environ.get("MONGODB_URI")
    if uri:
        asyncio.run(_run(uri, args.students, "MongoDB"))
        return
    with server_process() as embedded:
        asyncio.run(_run(embedded, args.students, "embedded server"))


if __name__ == "__main__":
    main()
