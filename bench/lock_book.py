"""Benchmark of the approval chain's lock: the board approving one book locks it in every pupil
record of the book, each record written atomically at the version the board saw.

Run from the project root: ``python -m bench.lock_book`` (option: ``--repeat``). It starts an
embedded server in its own process, seeds a small demo school, grows one grade-9 class to 40
pupils (bench/scorebook.py), and runs the chain in-process through the workflow services: the
mathematics teacher submits the term II book, its group head checks it (the board, when the
teacher is the group head), the board approves it
(timed), then unlocks it for the next round. It prints::

    lock one class x subject x term (40 pupils): N ms
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from argon2.profiles import CHEAPEST

from app.auth import passwords
from app.config import Settings
from app.runtime import connected
from app.scorebook.books import BookKey, load_book
from app.store import access_for
from app.workflow import chain
from app.workflow.chain import GapReasons
from bench._server import server_process
from bench.admin_list import bench_settings
from bench.scorebook import CLASS_SIZE, SUBJECT, grow_class
from models.user import User
from seed.catalogue import CURRENT_YEAR, GROUP_OF
from seed.demo import seed_demo


async def measure(settings: Settings, uri: str, repeat: int) -> float:
    async with connected(settings, uri):
        await seed_demo(students=120, seed=2025)
        teacher = await User.find_one(
            {"teaching": {"$elemMatch": {"subject": SUBJECT, "class_name": {"$regex": "^9"}}}}
        )
        head = await User.find_one({"roles": "tocm", "subject_group": GROUP_OF[SUBJECT]})
        board = await User.find_one({"roles": "bgh"})
        assert teacher is not None
        assert head is not None
        assert board is not None
        class_name = next(
            t.class_name
            for t in teacher.teaching
            if t.subject == SUBJECT and t.class_name[0] == "9"
        )
        await grow_class(class_name)
        key = BookKey("subject", CURRENT_YEAR, class_name, "hk2", SUBJECT)
        timings: list[float] = []
        for _ in range(repeat):
            as_teacher = await access_for(teacher)
            book = await load_book(as_teacher, key)
            assert len(book.rows) == CLASS_SIZE, len(book.rows)
            reasons = GapReasons({row.id: "Học kỳ II chưa kết thúc" for row in book.rows})
            submitted = await chain.submit(as_teacher, key, reasons)
            # The group head checks, unless they submitted it themselves: then the board does.
            checker = board if submitted.checked_by_board else head
            await chain.check(await access_for(checker), key, "Đạt")
            as_board = await access_for(board)
            seen = {row.id: row.version for row in (await load_book(as_board, key)).rows}
            started = time.perf_counter()
            await chain.approve(as_board, key, seen, "Đồng ý")
            timings.append((time.perf_counter() - started) * 1000)
            await chain.unlock(as_board, key, "Đo hiệu năng: mở lại cho lần sau")
        return statistics.median(timings)


async def run(args: argparse.Namespace) -> None:
    passwords.use_parameters(CHEAPEST)
    with server_process() as uri:
        settings = bench_settings(uri)
        median = await measure(settings, uri, args.repeat)
    print(f"lock one class x subject x term ({CLASS_SIZE} pupils): {median:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed approvals")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
