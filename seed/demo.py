"""``hocba seed``: a realistic PTDTNT THCS, deterministic for a given seed, safe to run twice."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from app.auth.passwords import hash_password
from app.context import Actor
from app.store import Writer, system_writer
from app.store.directory import existing_keys
from models.catalogue import SchoolClass
from models.common import WriteSource
from models.student import StudentRecord

from . import catalogue
from .names import NameGenerator
from .pupils import PupilFactory
from .roles import seed_roles
from .staff import plan_staff
from .workflow import demo_gradebooks

SEED_ACTOR = Actor(id="seed", name="Dữ liệu mẫu", role="system")
CLASS_SIZE = (30, 35)
BATCH = 500


@dataclass
class SeedReport:
    created_students: int = 0
    existing_students: int = 0
    created_users: dict[str, str] = field(default_factory=dict)  # username -> demo password
    existing_users: int = 0
    classes: int = 0
    created_roles: list[str] = field(default_factory=list)
    gradebooks: int = 0


def class_sizes(rng: random.Random, students: int | None) -> dict[int, list[int]]:
    """Pupils per class for each grade: 3 classes of 30–35 by default, more to reach a total."""
    per_grade = 3 if students is None else max(1, math.ceil(students / 4 / 32.5))
    sizes = {g: [rng.randint(*CLASS_SIZE) for _ in range(per_grade)] for g in catalogue.GRADES}
    if students is not None:
        flat = [(g, i) for g in catalogue.GRADES for i in range(per_grade)]
        total = sum(sum(v) for v in sizes.values())
        step = 0
        while total != students:  # nudge class sizes until the total is exact
            g, i = flat[step % len(flat)]
            delta = 1 if total < students else -1
            if sizes[g][i] + delta >= 1:
                sizes[g][i] += delta
                total += delta
            step += 1
    return sizes


async def seed_demo(*, students: int | None = None, seed: int = 2025) -> SeedReport:
    """Create whatever of the demo school is missing; existing data is left untouched."""
    rng = random.Random(seed)
    names = NameGenerator(random.Random(seed + 1))
    report = SeedReport()
    sizes = class_sizes(rng, students)
    classes = [f"{g}A{i + 1}" for g in catalogue.GRADES for i in range(len(sizes[g]))]

    await _insert_missing("school_years", ("code",), catalogue.school_years())
    await _insert_missing("subjects", ("code",), catalogue.subjects())
    report.created_roles = await seed_roles(SEED_ACTOR)

    staff = plan_staff(rng, names, classes)
    existing_users = set(await existing_keys("users", ("username",)))
    new_users = []
    for user in staff.users:
        if (user.username,) in existing_users:
            report.existing_users += 1
            continue
        user.password_hash = hash_password(staff.passwords[user.username])
        new_users.append(user)
        report.created_users[user.username] = staff.passwords[user.username]
    await _writer("users", "Tạo tài khoản trường mẫu").insert_many(new_users, skip_duplicates=True)

    school_classes = []
    for start in range(
        catalogue.start_of(catalogue.CURRENT_YEAR) - 3,
        catalogue.start_of(catalogue.CURRENT_YEAR) + 1,
    ):
        for cls in classes:
            school_classes.append(
                SchoolClass(
                    school_year=catalogue.year_code(start),
                    name=cls,
                    grade=int(cls[0]),
                    homeroom_teacher=staff.homeroom_of.get(cls)
                    if start == catalogue.start_of(catalogue.CURRENT_YEAR)
                    else None,
                )
            )
    report.classes = await _insert_missing("classes", ("school_year", "name"), school_classes)

    factory = PupilFactory(rng, names, staff)
    existing_codes = {code for (code,) in await existing_keys("students", ("code",))}
    batch: list[StudentRecord] = []
    number = 0
    for grade in catalogue.GRADES:
        for stream, size in enumerate(sizes[grade], start=1):
            for _ in range(size):
                number += 1
                pupil = factory.pupil(number, grade, stream)  # always drawn: keeps determinism
                if pupil.code in existing_codes:
                    report.existing_students += 1
                    continue
                batch.append(pupil)
                if len(batch) >= BATCH:
                    report.created_students += await _flush(batch)
    report.created_students += await _flush(batch)
    books = await demo_gradebooks(staff, classes, [s.code for s in factory.subjects])
    await _writer("gradebooks", "Tạo tình trạng duyệt sổ của trường mẫu").insert_many(
        books, skip_duplicates=True
    )
    report.gradebooks = len(books)
    return report


def _writer(resource: str, reason: str) -> Writer:
    """The seed writes like everyone else: stamped, attributed, with a request id."""
    return system_writer(resource, SEED_ACTOR, source=WriteSource.SEED, reason=reason)


async def _flush(batch: list[StudentRecord]) -> int:
    count = len(batch)
    if count:
        await _writer("students", "Tạo dữ liệu trường mẫu").insert_many(batch, derived=True)
        batch.clear()
    return count


async def _insert_missing(resource: str, keys: tuple[str, ...], docs: list[Any]) -> int:
    existing = await existing_keys(resource, keys)
    missing = [d for d in docs if tuple(getattr(d, k) for k in keys) not in existing]
    # A concurrent seed may insert the same rows: the unique index keeps one of each.
    await _writer(resource, "Tạo danh mục trường mẫu").insert_many(missing, skip_duplicates=True)
    return len(docs)
