"""The demo school: shape, determinism, idempotence, and results consistent with the rules."""

from __future__ import annotations

from collections import Counter

from app.auth.passwords import verify_password
from models.user import User
from seed.catalogue import CURRENT_YEAR
from seed.demo import seed_demo
from tests.factories import stored_pupils

ROLES = {"bgh", "tocm", "gvcn", "gvbm", "vanphong", "cntt"}


async def _snapshot(mdb) -> list[tuple]:
    rows = []
    async for doc in mdb["students"].find({}, sort=[("code", 1)]):
        toan = doc["years"][CURRENT_YEAR]["subjects"]["TOAN"]["hk1"]
        rows.append((doc["code"], doc["profile"]["full_name"], str(toan["average"])))
    return rows


async def test_default_school_has_the_expected_shape(mdb) -> None:
    report = await seed_demo(seed=7)
    assert 12 * 30 <= report.created_students <= 12 * 35
    students = await stored_pupils()
    by_class = Counter(s.current.class_name for s in students if s.current)
    assert sorted(by_class) == [f"{g}A{i}" for g in (6, 7, 8, 9) for i in (1, 2, 3)]
    assert all(30 <= n <= 35 for n in by_class.values())
    grade9 = next(s for s in students if s.current and s.current.grade == 9)
    assert sorted(grade9.years) == ["2022-2023", "2023-2024", "2024-2025", "2025-2026"]
    assert [y.grade for _, y in sorted(grade9.years.items())] == [6, 7, 8, 9]
    # Past years are decided and locked; the current term is in progress with gaps.
    past = grade9.years["2024-2025"]
    assert past.promotion.promoted is True
    assert past.locks.year.locked
    current = grade9.years[CURRENT_YEAR]
    assert current.locks.hk1.locked
    assert not current.locks.hk2.locked
    assert current.learning.hk1 is not None
    assert current.learning.year is None
    pending = [s for s in students if s.current and s.years[CURRENT_YEAR].pending]
    assert len(pending) == len(students)
    ethnicities = Counter(s.profile.ethnicity for s in students)
    assert {"Ê Đê", "Gia Rai", "M'Nông", "Kinh"} <= set(ethnicities)
    assert ethnicities.most_common(1)[0][0] == "Ê Đê"
    learning = Counter(
        y.learning.year for s in students for k, y in s.years.items() if k != CURRENT_YEAR
    )
    assert {"T", "K", "Đ"} <= set(learning)  # a realistic spread, not one level
    assert any(y.awards for s in students for y in s.years.values())


async def test_every_role_has_an_account_with_a_working_password(mdb) -> None:
    report = await seed_demo(students=60, seed=7)
    users = await User.find_all().to_list()
    assert {role for u in users for role in u.roles} >= ROLES
    some = users[0]
    assert verify_password(some.password_hash, report.created_users[some.username])
    assert all(len(p) >= 10 for p in report.created_users.values())
    gvcn = [u for u in users if "gvcn" in u.roles]
    assert sorted(c for u in gvcn for c in u.homeroom_classes) == ["6A1", "7A1", "8A1", "9A1"]


async def test_same_seed_gives_the_same_school_and_a_rerun_changes_nothing(mdb) -> None:
    await seed_demo(students=60, seed=11)
    first = await _snapshot(mdb)
    again = await seed_demo(students=60, seed=11)
    assert again.created_students == 0
    assert again.existing_students == len(first)
    assert again.created_users == {}
    assert await _snapshot(mdb) == first
    for name in await mdb.list_collection_names():
        await mdb[name].delete_many({})
    await seed_demo(students=60, seed=11)
    assert await _snapshot(mdb) == first
    for name in await mdb.list_collection_names():
        await mdb[name].delete_many({})
    await seed_demo(students=60, seed=12)
    assert await _snapshot(mdb) != first


async def test_explicit_total_is_exact(mdb) -> None:
    report = await seed_demo(students=250, seed=3)
    assert report.created_students == 250
    assert await mdb["students"].count_documents({}) == 250


async def test_seeded_records_are_stamped_for_the_change_log(mdb) -> None:
    await seed_demo(students=20, seed=5)
    doc = await mdb["students"].find_one({})
    assert doc["version"] == 1
    assert doc["meta"]["source"] == "seed"
    assert doc["meta"]["request_id"]
