"""A school year's page added by the app (a class move into another year, promotion) comes
with its locks open: that is not a lock change. Setting a lock that way still is, and what the
app adds along a user's change is guarded but not the user's field to hold rights on. A
write inside one year answers the whole record, its encrypted fields readable."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.errors import Forbidden
from app.office.placement import year_page
from app.store import access_for, system_writer
from app.store.records import create_record
from app.store.writes import SAVED, BatchItem
from models.common import WriteSource
from models.role import Action
from models.student_parts import Placement
from tests.admin.school import YEAR, School
from tests.factories import make_student, stored_pupil
from tests.office.year_end import NEXT, WRITER, add_next_year


async def test_a_new_year_page_with_open_locks_is_written_without_lock_rights(
    school: School,
) -> None:
    await add_next_year()
    pk = school.pupil_id("HS7A101")
    page = await year_page(Placement(school_year=NEXT, grade=8, class_name="8A1"))
    writer = system_writer("students", WRITER, source=WriteSource.API)
    await writer.update(pk, {f"years.{NEXT}": page})
    pupil = await stored_pupil({"code": "HS7A101"})
    assert pupil is not None
    assert pupil.years[NEXT].class_name == "8A1"
    assert not pupil.years[NEXT].locks.year.locked


async def test_a_new_year_page_cannot_bring_a_closed_lock(school: School) -> None:
    await add_next_year()
    pk = school.pupil_id("HS7A102")
    page = await year_page(Placement(school_year=NEXT, grade=8, class_name="8A1"))
    page.locks.hk1.locked = True
    writer = system_writer("students", WRITER, source=WriteSource.API)
    with pytest.raises(Forbidden, match="quy trình phê duyệt"):
        await writer.update(pk, {f"years.{NEXT}": page})
    pupil = await stored_pupil({"code": "HS7A102"})
    assert pupil is not None
    assert NEXT not in pupil.years


async def test_a_batch_writes_what_follows_a_change_without_rights_on_it(school: School) -> None:
    await add_next_year()
    # The office writes placements, not school years: the page follows the new placement.
    access = await access_for(school.users["vp.thuky"])
    writer = access.writer("students", Action.EDIT, source=WriteSource.ADMIN)
    placement = Placement(school_year=NEXT, grade=8, class_name="8A1")
    page = await year_page(placement)
    items = [
        BatchItem(school.pupil_id("HS7A103"), {"current": placement}),
        BatchItem(
            school.pupil_id("HS7A201"), {"current": placement}, follow={f"years.{NEXT}": page}
        ),
        BatchItem(school.pupil_id("HS7A202"), {"current": placement, f"years.{NEXT}": page}),
    ]
    outcomes = await writer.update_many(items)
    assert [o.status for o in outcomes[:2]] == [SAVED, SAVED]
    assert outcomes[2].status == "refused"  # asked for by the writer itself: their rights count
    moved = await stored_pupil({"code": "HS7A201"})
    assert moved is not None
    assert moved.years[NEXT].class_name == "8A1"


async def test_a_write_inside_a_year_answers_the_record_with_its_sealed_fields_opened(
    school: School,
) -> None:
    pupil = await create_record(
        make_student(moet_id="079123456789"), source=WriteSource.SEED, actor=WRITER
    )
    writer = system_writer("students", WRITER, source=WriteSource.API)
    path = f"years.{YEAR}.subjects.TOAN.hk1.gk"
    answered = await writer.update(pupil.id, {path: Decimal("8")})
    assert answered.moet_id == "079123456789"
    assert answered.years[YEAR].subjects["TOAN"].hk1.gk == Decimal("8")
