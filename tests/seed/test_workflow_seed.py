"""The demo school's books in the approval chain agree with the locks of its records."""

from __future__ import annotations

from models.workflow import Gradebook, Stage
from seed.catalogue import CURRENT_YEAR
from seed.demo import seed_demo
from tests.factories import stored_pupils


async def test_demo_books_follow_the_locks_and_seeding_twice_adds_none(mdb) -> None:
    report = await seed_demo(students=60, seed=7)
    assert report.gradebooks > 0
    books = await Gradebook.find_all().to_list()
    current = [b for b in books if b.school_year == CURRENT_YEAR]
    assert {b.stage for b in current if b.term == "hk1"} == {Stage.LOCKED}
    hk2 = {(b.class_name, b.subject): b for b in current if b.term == "hk2"}
    assert hk2[("6A1", "KHTN")].stage is Stage.SUBMITTED
    assert hk2[("6A1", "LSDL")].stage is Stage.CHECKED
    assert len(hk2) == 2  # every other term II book is being entered
    assert {b.stage for b in books if b.school_year != CURRENT_YEAR} == {Stage.LOCKED}
    locked = next(b for b in current if b.term == "hk1" and b.kind == "subject")
    assert [s.kind.value for s in locked.steps] == ["submit", "check", "approve", "lock"]
    assert locked.teacher is not None

    pupils = await stored_pupils()
    for pupil in pupils:
        year = pupil.years[CURRENT_YEAR]
        assert year.locks.hk1.locked
        assert year.homeroom_locks.hk1.locked
        assert all(s.locks.hk1.locked for s in year.subjects.values())
        in_6a1 = year.class_name == "6A1"
        assert year.subjects["KHTN"].locks.hk2.submitted is in_6a1
        assert year.subjects["LSDL"].locks.hk2.submitted is in_6a1
        assert not year.subjects["TOAN"].locks.hk2.submitted

    again = await seed_demo(students=60, seed=7)
    assert again.gradebooks == 0
    assert await Gradebook.count() == len(books)
