"""Benchmark of the embedded server's guarded update statements, as a score book save sends them.

Run from the project root: ``python -m bench.em_updates`` (options: ``--repeat``, ``--pupils``).
It starts an embedded server in its own process, inserts one class of pupil records (four school
years each, about 30 KB), and times one ``update`` command of one ``UpdateOne`` per pupil, each
guarded as the score book guards it: pinned ``_id`` and version, the teacher's classes, and the
term's locks (``$ne: true``); ``$set`` of one score and the write's meta, ``$inc`` of the
version. Measured without and then with pre- and post-images on the collection (as the change
log turns them on for audited collections). It prints the median milliseconds per statement,
through the client, then in the server's ``update`` command alone (run in this process).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import bson
from bson import Decimal128, ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, MongoClient, UpdateOne

from bench._server import server_process
from embedded_mongo.commands import REGISTRY, Context, load_all
from embedded_mongo.server import EmbeddedMongoServer

YEARS = ("2022-2023", "2023-2024", "2024-2025", "2025-2026")
CURRENT = YEARS[-1]
SUBJECTS = ("TOAN", "VAN", "ANH", "LY", "HOA", "SINH", "SU", "DIA", "GDCD", "TIN", "CN", "TD")
TERMS = ("hk1", "hk2")


# The pupil records' indexes.
INDEXES = [
    IndexModel([("code", ASCENDING)], name="code_unique", unique=True),
    IndexModel([("moet_id", ASCENDING)], name="moet_id_unique", unique=True, sparse=True),
    IndexModel([("current.school_year", ASCENDING), ("current.class_name", ASCENDING)]),
    IndexModel([("search_name", ASCENDING)]),
    IndexModel([("status", ASCENDING)]),
    IndexModel([("meta.at", DESCENDING)]),
]


def _term(n: int) -> dict[str, Any]:
    return {
        "tx": [str(5 + (n + k) % 5) for k in range(4)],
        "gk": str(6 + n % 4),
        "ck": str(7 + n % 3),
        "average": Decimal128(f"{6 + n % 4}.{n % 10}"),
        "comment": "Chăm chỉ, tiến bộ rõ rệt trong học kỳ." * 4,
    }


def pupil(n: int) -> dict[str, Any]:
    """A pupil's record of four school years, shaped like the app's (about 30 KB of BSON)."""
    years = {}
    for y, year in enumerate(YEARS):
        years[year] = {
            "class_name": f"{6 + y}A1",
            "homeroom": "Nguyễn Thị Hoa",
            "subjects": {s: {t: _term(n + i) for t in TERMS} for i, s in enumerate(SUBJECTS)},
            "conduct": {t: {"rating": "Tốt", "note": "Ngoan, lễ phép."} for t in TERMS},
            "locks": {t: {"locked": False, "submitted": False} for t in TERMS},
            "attendance": {"absent_excused": n % 3, "absent_unexcused": 0},
        }
    return {
        "_id": ObjectId(),
        "code": f"HS{n:05d}",
        "profile": {"full_name": f"Trần Văn Học Sinh {n}", "born": datetime(2012, 1, 1 + n % 28)},
        "status": "studying",
        "current": {"class_name": "9A1", "school_year": CURRENT},
        "years": years,
        "search_name": f"tran van hoc sinh {n}",
        "version": 1,
        "meta": {"at": datetime.now(UTC), "by": "seed", "source": "seed"},
        "schema_version": 3,
    }


def guard(doc_id: ObjectId, version: int) -> dict[str, Any]:
    locks = {f"years.{CURRENT}.locks.hk2.{flag}": {"$ne": True} for flag in ("locked", "submitted")}
    locks |= {f"years.{CURRENT}.subjects.TOAN.hk2.{f}.locked": {"$ne": True} for f in ("a", "b")}
    locks |= {f"years.{CURRENT}.conduct.hk2.locked": {"$ne": True}}
    locks |= {f"years.{CURRENT}.locks.year.locked": {"$ne": True}}
    return {
        "$and": [
            {"_id": doc_id, "version": version},
            {
                "$or": [
                    {"current.class_name": {"$in": ["9A1"]}, "current.school_year": CURRENT},
                    {f"years.{CURRENT}.class_name": {"$in": ["9A1", "9A2"]}},
                ]
            },
            locks,
        ]
    }


def update(value: str) -> dict[str, Any]:
    return {
        "$set": {
            f"years.{CURRENT}.subjects.TOAN.hk2.gk": value,
            "meta": {"at": datetime.now(UTC), "by": "teacher", "source": "grid", "reason": None},
            "revision_id": uuid.uuid4().hex,
        },
        "$inc": {"version": 1},
    }


def save(coll: Any, ids: list[ObjectId], versions: dict[ObjectId, int], value: str) -> float:
    operations = [UpdateOne(guard(i, versions[i]), update(value)) for i in ids]
    begin = time.perf_counter()
    result = coll.bulk_write(operations, ordered=False)
    elapsed = time.perf_counter() - begin
    assert result.modified_count == len(ids), result.bulk_api_result
    for i in ids:
        versions[i] += 1
    return elapsed


def measure(coll: Any, ids: list[ObjectId], repeat: int) -> float:
    """Median milliseconds per statement of ``repeat`` saves of one statement per pupil."""
    versions = dict.fromkeys(ids, 1)
    save(coll, ids, versions, "5")  # warm-up
    times = [save(coll, ids, versions, str(5 + n % 4)) for n in range(repeat)]
    return statistics.median(times) * 1000 / len(ids)


def server_side(images: bool, pupils: int, repeat: int) -> float:
    """Median milliseconds per statement spent in the server's ``update`` command itself (run
    in this process, on commands as the server decodes them: no client, no wire)."""
    server = EmbeddedMongoServer()
    ctx = Context(server.state, 1)

    def run(cmd: dict[str, Any]) -> dict[str, Any]:
        reply = REGISTRY[next(iter(cmd)).lower()](ctx, bson.decode(bson.encode(cmd)), "bench")
        assert isinstance(reply, dict), reply
        assert "writeErrors" not in reply, reply
        return reply

    docs = [pupil(n) for n in range(pupils)]
    indexes = [{"key": dict(i.document["key"]), "name": i.document["name"]} for i in INDEXES]
    for index, model in zip(indexes, INDEXES, strict=True):
        index.update({k: v for k, v in model.document.items() if k in ("unique", "sparse")})
    run({"createIndexes": "pupils", "indexes": indexes})
    run({"insert": "pupils", "documents": docs})
    if images:
        run({"collMod": "pupils", "changeStreamPreAndPostImages": {"enabled": True}})
    versions = {d["_id"]: 1 for d in docs}
    times = []
    for n in range(repeat + 1):
        cmd = bson.decode(
            bson.encode(
                {
                    "update": "pupils",
                    "ordered": False,
                    "updates": [
                        {"q": guard(i, versions[i]), "u": update(str(5 + n % 4))} for i in versions
                    ],
                }
            )
        )
        begin = time.perf_counter()
        reply = REGISTRY["update"](ctx, cmd, "bench")
        times.append(time.perf_counter() - begin)
        assert isinstance(reply, dict), reply
        assert reply["nModified"] == pupils, reply
        versions = {i: v + 1 for i, v in versions.items()}
    return statistics.median(times[1:]) * 1000 / pupils


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=21, help="timed saves per measure")
    parser.add_argument("--pupils", type=int, default=40, help="pupils (statements per save)")
    args = parser.parse_args()
    with server_process() as uri:
        client: MongoClient = MongoClient(uri)
        try:
            db = client["bench_em_updates"]
            for images in (False, True):
                name = "pupils_images" if images else "pupils"
                coll = db[name]
                docs = [pupil(n) for n in range(args.pupils)]
                coll.create_indexes(INDEXES)
                coll.insert_many(docs)
                if images:
                    db.command("collMod", name, changeStreamPreAndPostImages={"enabled": True})
                ms = measure(coll, [d["_id"] for d in docs], args.repeat)
                label = "with pre-images" if images else "without pre-images"
                print(f"guarded update statement, {label}: {ms:.3f} ms")
        finally:
            client.close()
    load_all()
    for images in (False, True):
        ms = server_side(images, args.pupils, args.repeat)
        label = "with pre-images" if images else "without pre-images"
        print(f"  in the server alone, {label}: {ms:.3f} ms")


if __name__ == "__main__":
    main()
