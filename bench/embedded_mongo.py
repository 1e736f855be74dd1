"""Benchmark of the embedded MongoDB-compatible server, through the real PyMongo async client.

Run from the project root: ``python -m bench.embedded_mongo`` (options: ``--ops``, ``--burst``).
It starts its own server on a loopback port in a thread and ends by itself (every loop is bounded
by an operation count and a time limit).

Measured:

* ``insert_one``, ``find_one`` by ``_id`` and ``update_one`` by ``_id`` per second from one async
  client, with 10 and with 10,000 documents in the collection;
* the same three operations called on mongomock-ng directly in-process, plain (as mongomock-ng
  ships, scanning for ``_id``) and with the server's index fast paths, as ratios server/direct;
* change-event lag p50/p95 under a burst of writes: from just before each ``insert_one`` to when
  the change stream delivers its event.

Targets: >= 1,500 simple ops/s from one client on 2 cores; ``find_one`` by ``_id`` at 10,000
documents within 2x of at 10; change-event lag p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import mongomock_ng
from mongomock_ng.collection import Collection
from pymongo import AsyncMongoClient

from embedded_mongo import fastpaths, start_in_thread

TARGET_OPS = 1_500
TARGET_LAG_P95_MS = 50.0
SIZES = (10, 10_000)
TIME_LIMIT = 3.0  # seconds per measured loop, whatever --ops says


def _rate(count: int, elapsed: float) -> float:
    return count / elapsed if elapsed > 0 else float("inf")


async def _time_async(ops: int, op: Callable[[int], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    done = 0
    while done < ops and time.perf_counter() - start < TIME_LIMIT:
        await op(done)
        done += 1
    return _rate(done, time.perf_counter() - start)


def _time_sync(ops: int, op: Callable[[int], Any]) -> float:
    start = time.perf_counter()
    done = 0
    while done < ops and time.perf_counter() - start < TIME_LIMIT:
        op(done)
        done += 1
    return _rate(done, time.perf_counter() - start)


async def server_rates(client: AsyncMongoClient, size: int, ops: int) -> dict[str, float]:
    coll = client.bench[f"docs_{size}"]
    await coll.drop()
    await coll.insert_many([{"_id": i, "n": i, "name": f"pupil {i}"} for i in range(size)])
    rng = random.Random(size)
    ids = [rng.randrange(size) for _ in range(ops)]
    rates = {
        "insert_one": await _time_async(
            ops, lambda i: coll.insert_one({"_id": f"new{i}", "n": i, "name": "new"})
        )
    }
    await coll.delete_many({"name": "new"})  # back to ``size`` documents
    rates["find_one _id"] = await _time_async(ops, lambda i: coll.find_one({"_id": ids[i]}))
    rates["update_one _id"] = await _time_async(
        ops, lambda i: coll.update_one({"_id": ids[i]}, {"$inc": {"n": 1}})
    )
    await coll.drop()
    return rates


@contextmanager
def plain_mongomock() -> Iterator[None]:
    """mongomock-ng exactly as shipped: the server's fast paths taken out for the duration."""
    patched = Collection._iter_documents, Collection._ensure_uniques
    Collection._iter_documents = fastpaths._original_iter_documents  # type: ignore[method-assign]
    Collection._ensure_uniques = fastpaths._original_ensure_uniques  # type: ignore[method-assign]
    try:
        yield
    finally:
        Collection._iter_documents, Collection._ensure_uniques = patched  # type: ignore[method-assign]


def direct_rates(size: int, ops: int) -> dict[str, float]:
    coll: Any = mongomock_ng.MongoClient().bench[f"docs_{size}"]
    coll.insert_many([{"_id": i, "n": i, "name": f"pupil {i}"} for i in range(size)])
    rng = random.Random(size)
    ids = [rng.randrange(size) for _ in range(ops)]
    rates = {
        "insert_one": _time_sync(
            ops, lambda i: coll.insert_one({"_id": f"new{i}", "n": i, "name": "new"})
        )
    }
    coll.delete_many({"name": "new"})  # back to ``size`` documents
    rates["find_one _id"] = _time_sync(ops, lambda i: coll.find_one({"_id": ids[i]}))
    rates["update_one _id"] = _time_sync(
        ops, lambda i: coll.update_one({"_id": ids[i]}, {"$inc": {"n": 1}})
    )
    coll.drop()
    return rates


async def change_lag(client: AsyncMongoClient, burst: int, writers: int) -> list[float]:
    """Milliseconds from just before each insert to the delivery of its change event."""
    coll = client.bench.lag
    await coll.drop()
    sent: dict[int, float] = {}
    lags: list[float] = []

    async with await coll.watch(max_await_time_ms=500, batch_size=1000) as stream:

        async def write(first: int) -> None:
            for i in range(first, burst, writers):
                sent[i] = time.perf_counter()
                await coll.insert_one({"_id": i})

        async def read() -> None:
            deadline = time.perf_counter() + 30
            while len(lags) < burst and time.perf_counter() < deadline:
                change = await stream.try_next()
                if change is not None:
                    lags.append((time.perf_counter() - sent[change["documentKey"]["_id"]]) * 1e3)

        reader = asyncio.create_task(read())
        await asyncio.gather(*(write(w) for w in range(writers)))
        await reader
    await coll.drop()
    return lags


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(ops: int, burst: int, writers: int) -> bool:
    server = start_in_thread()
    client: AsyncMongoClient = AsyncMongoClient(server.uri)
    try:
        served = {size: await server_rates(client, size, ops) for size in SIZES}
        with plain_mongomock():
            plain = {size: direct_rates(size, ops) for size in SIZES}
        patched = {size: direct_rates(size, ops) for size in SIZES}
        lags = await change_lag(client, burst, writers)
    finally:
        await client.close()
        server.stop()

    print(f"embedded_mongo, one async client, up to {ops} ops per cell ({TIME_LIMIT:.0f} s cap)")
    header = f"{'operation':<15}{'docs':>7}{'server/s':>10}{'direct/s':>10}{'ratio':>7}"
    header += f"{'direct+fp/s':>13}{'ratio':>7}"
    print(header)
    print("-" * len(header))
    ok = True
    for name in served[SIZES[0]]:
        for size in SIZES:
            s, d, f = served[size][name], plain[size][name], patched[size][name]
            print(f"{name:<15}{size:>7}{s:>10,.0f}{d:>10,.0f}{s / d:>7.2f}{f:>13,.0f}{s / f:>7.2f}")
            ok &= s >= TARGET_OPS
    find_small, find_large = served[SIZES[0]]["find_one _id"], served[SIZES[1]]["find_one _id"]
    flat = find_small <= 2 * find_large
    ok &= flat
    p50, p95 = _percentile(lags, 0.50), _percentile(lags, 0.95)
    delivered = len(lags) == burst
    ok &= delivered and p95 < TARGET_LAG_P95_MS
    print(
        f"change-event lag, burst of {burst} inserts from {writers} writers: "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(lags):.1f} ms, "
        f"delivered {len(lags)}/{burst}"
    )
    print(
        f"targets: >= {TARGET_OPS:,} ops/s per cell; find_one _id at {SIZES[1]:,} docs within 2x "
        f"of at {SIZES[0]} ({'yes' if flat else 'NO'}: {find_small:,.0f} vs {find_large:,.0f}); "
        f"lag p95 < {TARGET_LAG_P95_MS:.0f} ms -> {'all met' if ok else 'MISSED'}"
    )
    print(
        "ratio = server / direct; direct = mongomock-ng called in-process as shipped, "
        "direct+fp = with the server's index fast paths"
    )
    return ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.embedded_mongo", description=__doc__)
    parser.add_argument("--ops", type=int, default=2_000, help="operations per measured cell")
    parser.add_argument("--burst", type=int, default=2_000, help="writes in the lag burst")
    parser.add_argument("--writers", type=int, default=4, help="concurrent writers in the burst")
    args = parser.parse_args(argv)
    ok = asyncio.run(run(args.ops, args.burst, args.writers))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
