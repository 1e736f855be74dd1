"""Backup benchmark: the demo school scaled to 10,000 pupils on the embedded server.

Run: ``python -m bench.backup [--students N]``. The embedded server runs in its own process,
as a real deployment would. The backup runs as ``hocba backup`` in a child process, so its
peak memory is that process's peak resident size (``VmHWM``: the interpreter and libraries
included; not ``ru_maxrss``, which Linux carries over from the parent across fork and exec).
Then the archive is verified (decrypt, hashes, trial restore into a fresh in-memory server,
chain) and restored into a fresh database on the server, whose collections are compared with
the manifest. Prints::

    backup 10,000 pupils: N s, N MB, peak memory N MB
    verify: N s
    restore: identical collections N/N
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from argon2.profiles import CHEAPEST
from pymongo import AsyncMongoClient

from app.auth import passwords
from app.backup.keys import new_key, parse_key
from app.backup.restore import restore
from app.backup.verify import verify_backup
from app.config import new_field_key
from app.db import init_models
from bench._server import server_process
from seed.demo import seed_demo

# Runs `hocba backup`, then reports the process's own peak resident size.
CHILD = (
    "import sys; from app.cli import main; rc = main(sys.argv[1:]); "
    "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')), "
    "file=sys.stderr); sys.exit(rc)"
)


def _backup_child(uri: str, db: str, key: str, out: Path) -> tuple[float, float]:
    """Seconds taken and peak memory (MB) of a `hocba backup` process."""
    env = {
        **os.environ,
        "ENV": "test",
        "SECRET_KEY": secrets.token_hex(32),
        "MONGODB_URI": uri,
        "MONGODB_DB": db,
        "BACKUP_KEY": key,
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "backup", "--out", str(out)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak = re.search(r"VmHWM:\s+(\d+) kB", done.stderr)
    return seconds, int(peak.group(1)) / 1024 if peak else float("nan")


async def _run(uri: str, students: int, workdir: Path) -> None:
    passwords.use_parameters(CHEAPEST)
    client: AsyncMongoClient = AsyncMongoClient(uri, uuidRepresentation="standard")
    name = f"bench_backup_{secrets.token_hex(3)}"
    await init_models(client, name, base64.b64decode(new_field_key()))
    await seed_demo(students=students)
    key_text = new_key()
    key = parse_key(key_text)
    out = workdir / "bench.hbk"
    seconds, peak_mb = await asyncio.to_thread(_backup_child, uri, name, key_text, out)
    size_mb = out.stat().st_size / 1e6
    print(
        f"backup {students:,} pupils: {seconds:.1f} s, {size_mb:.1f} MB, "
        f"peak memory {peak_mb:.0f} MB"
    )
    started = time.perf_counter()
    outcome = await verify_backup(out, key)
    print(f"verify: {time.perf_counter() - started:.1f} s")
    if not outcome.ok:
        print("\n".join(outcome.lines), file=sys.stderr)
    target = client[f"{name}_restored"]
    restored = await restore(target, out, key, apply=True, force=False)
    total = outcome.total
    print(f"restore: identical collections {total - len(restored.differ)}/{total}")
    await client.drop_database(name)
    await client.drop_database(target.name)
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, server_process() as uri:
        asyncio.run(_run(uri, args.students, Path(workdir)))


if __name__ == "__main__":
    main()
