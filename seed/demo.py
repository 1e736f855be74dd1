"""``hocba seed``: a realistic PTDTNT THCS, deterministic for a given seed, safe to run twice."""

from __future__ import annotations

import contextlib
import math
import random
from dataclasses import dataclass, field

from pymongo.errors import BulkWriteError

from app.auth.passwords import hash_password
from app.context import Actor
from app.records.writer import create_records
from models.catalogue import SchoolClass, SchoolYear, Subject
from models.common import WriteMeta, WriteSource
from models.student import StudentRecord
from models.user import User

from . import catalogue
from .names import NameGenerator
from .pupils import PupilFactory
from .roles import seed_roles
from .staff import plan_staff

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

    await _insert_missing(SchoolYear, "code", catalogue.school_years())
    await _insert_missing(Subject, "code", catalogue.subjects())
    report.created_roles = await seed_roles(SEED_ACTOR)

    staff = plan_staff(rng, names, classes)
    existing_users = set(await User.get_pymongo_collection().distinct("username"))
    for user in staff.users:
        if user.username in existing_users:
            report.existing_users += 1
            continue
        user.password_hash = hash_password(staff.passwords[user.username])
        user.version = 1
        user.meta = WriteMeta(
            actor_id=SEED_ACTOR.id,
            actor_name=SEED_ACTOR.name,
            role=SEED_ACTOR.role,
            source=WriteSource.SEED,
        )
        await user.insert()
        report.created_users[user.username] = staff.passwords[user.username]

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
    report.classes = await _insert_missing(SchoolClass, ("school_year", "name"), school_classes)

    factory = PupilFactory(rng, names, staff)
    existing_codes = set(await StudentRecord.get_pymongo_collection().distinct("code"))
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
    return report


async def _flush(batch: list[StudentRecord]) -> int:
    count = len(batch)
    if count:
        await create_records(
            batch,
            source=WriteSource.SEED,
            actor=SEED_ACTOR,
            reason="Tạo dữ liệu trường mẫu",
            derived=True,
        )
        batch.clear()
    return count


async def _insert_missing(model: type, key: str | tuple[str, ...], docs: list) -> int:
    keys = (key,) if isinstance(key, str) else key
    for doc in docs:  # the change log attributes these rows to the seed, like every write
        doc.version = 1
        doc.meta = WriteMeta(
            actor_id=SEED_ACTOR.id,
            actor_name=SEED_ACTOR.name,
            role=SEED_ACTOR.role,
            source=WriteSource.SEED,
        )
    collection = model.get_pymongo_collection()  # type: ignore[attr-defined]
    cursor = collection.find({}, dict.fromkeys(keys, 1))
    existing = {tuple(d.get(k) for k in keys) async for d in cursor}
    missing = [d for d in docs if tuple(getattr(d, k) for k in keys) not in existing]
    if missing:
        # A concurrent seed may insert the same rows: the unique index keeps one of each.
        with contextlib.suppress(BulkWriteError):
            await model.insert_many(missing)  # type: ignore[attr-defined]
    return len(docs)
