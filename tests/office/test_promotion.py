"""Year-end promotion: who goes where, refused while the year is open, never twice, and only
for the roles granted it."""

from __future__ import annotations

import pytest

from app.errors import Forbidden, InvalidInput
from app.office.placement import year_page
from app.office.promotion import DONE, GRADUATE, PENDING, PROMOTE, RETAIN, apply, preview
from app.store import access_for, system_writer
from models.catalogue import SchoolClass
from models.common import WriteSource
from models.student import StudentRecord
from models.student_parts import Placement
from tests.admin.school import YEAR, School
from tests.factories import stored_pupil, stored_pupils
from tests.office.year_end import NEXT, WRITER, add_next_year, finish_year


def groups(plan) -> dict[str, tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return {p.code: (p.group, p.target) for c in plan.classes for p in c.pupils}


async def pupil(code: str) -> StudentRecord:
    found = await stored_pupil({"code": code})
    assert found is not None
    return found


async def where(code: str) -> tuple[str, int, str] | None:
    """The pupil's placement as stored: (school year, grade, class)."""
    current = (await pupil(code)).current
    return (current.school_year, current.grade, current.class_name) if current else None


async def office(school: School, username: str = "vp.thuky"):  # type: ignore[no-untyped-def]
    return await access_for(school.users[username])


async def test_the_preview_shows_who_goes_where(school: School) -> None:
    await finish_year(school)
    plan = await preview(await office(school))
    assert (plan.school_year, plan.next_year, plan.ready) == (YEAR, NEXT, True)
    assert [c.name for c in plan.classes] == ["7A1", "7A2", "9A1"]
    assert groups(plan) == {
        "HS7A101": (PROMOTE, "8A1"),
        "HS7A102": (RETAIN, "7A1"),
        "HS7A103": (PENDING, None),
        "HS7A201": (PROMOTE, "8A2"),
        "HS7A202": (PROMOTE, "8A2"),
        "HS7A203": (PROMOTE, "8A2"),
        "HS9A101": (GRADUATE, None),
        "HS9A102": (RETAIN, "9A1"),
    }
    pending = next(p for p in plan.classes[0].pupils if p.code == "HS7A103")
    assert pending.result == "Kiểm tra lại"
    assert plan.counts == {PROMOTE: 4, RETAIN: 2, GRADUATE: 1, PENDING: 1, DONE: 0}
    # The pupil who left last year is not part of it.
    assert "HS6A901" not in groups(plan)


async def test_promotion_moves_the_pupils_into_next_year(school: School) -> None:
    await finish_year(school)
    before = await stored_pupil({"code": "HS7A101"})
    result = await apply(await office(school))
    assert result.counts == {PROMOTE: 4, RETAIN: 2, GRADUATE: 1, PENDING: 0, DONE: 0}
    assert result.failures == []

    assert before is not None
    an = await pupil("HS7A101")
    assert await where("HS7A101") == (NEXT, 8, "8A1")
    page = an.years[NEXT]
    assert (page.grade, page.class_name, page.homeroom_teacher) == (8, "8A1", "gv.cn7a1")
    assert {"TOAN", "NGUVAN", "GDTC"} <= set(page.subjects)
    assert an.years[YEAR] == before.years[YEAR]  # last year's page is kept as it was
    assert an.meta is not None
    assert an.meta.reason == f"Chuyển năm học {YEAR} → {NEXT}"

    assert await where("HS7A102") == (NEXT, 7, "7A1")
    assert (await pupil("HS7A102")).years[NEXT].grade == 7

    assert await where("HS7A103") == (YEAR, 7, "7A1")
    assert NEXT not in (await pupil("HS7A103")).years

    graduate = await pupil("HS9A101")
    assert graduate.status == "graduated"
    assert NEXT not in graduate.years
    assert await where("HS9A102") == (NEXT, 9, "9A1")
    assert (await pupil("HS9A102")).years[NEXT].homeroom_teacher == "gv.cn7a2"


async def test_running_it_again_moves_nobody_twice(school: School) -> None:
    await finish_year(school)
    access = await office(school)
    await apply(access)
    versions = {p.code: p.version for p in await stored_pupils()}
    again = await preview(access)
    assert again.movers == 0
    assert again.counts[DONE] == 7
    assert again.counts[PENDING] == 1
    result = await apply(access)
    assert result.written == 0
    assert {p.code: p.version for p in await stored_pupils()} == versions


async def test_refused_while_the_year_is_not_locked(school: School) -> None:
    await finish_year(school, unlocked=("HS7A201", "HS7A202"))
    access = await office(school)
    plan = await preview(access)
    assert plan.blocking == {"7A2": 2}
    assert not plan.ready
    with pytest.raises(InvalidInput, match=r"chưa khóa sổ ở các lớp: 7A2 \(2 học sinh\)"):
        await apply(access)
    assert await where("HS7A101") == (YEAR, 7, "7A1")


async def test_next_year_must_be_in_the_catalogue(school: School) -> None:
    await finish_year(school, next_year=False)
    plan = await preview(await office(school))
    assert not plan.next_year_known
    assert any(f"Năm học {NEXT} chưa có trong danh mục" in p for p in plan.problems)
    # With only some of next year's classes, the missing choice is named.
    await add_next_year((("8A1", 8, None),))
    plan = await preview(await office(school))
    assert plan.next_year_known
    assert groups(plan)["HS7A201"] == (PROMOTE, None)
    assert any("Lớp 7A2: hãy chọn lớp khối 8" in p for p in plan.problems)
    with pytest.raises(InvalidInput):
        await apply(await office(school))


async def test_the_proposed_classes_can_be_changed(school: School) -> None:
    await finish_year(school)
    access = await office(school)
    plan = await preview(access, promote_to={"7A2": "8A1"}, retain_to={"7A1": "9A1"})
    assert groups(plan)["HS7A201"] == (PROMOTE, "8A1")
    assert any("lớp «9A1» không phải lớp khối 7" in p for p in plan.problems)
    await SchoolClass(school_year=NEXT, name="7A3", grade=7).insert()
    await apply(access, promote_to={"7A2": "8A1"}, retain_to={"7A1": "7A3"})
    assert await where("HS7A201") == (NEXT, 8, "8A1")
    assert await where("HS7A102") == (NEXT, 7, "7A3")


@pytest.mark.parametrize("username", ["bgh.ht", "gv.cn7a1", "gv.toan", "it.quantri", "nv.moi"])
async def test_only_roles_granted_it_may_promote(school: School, username: str) -> None:
    await finish_year(school)
    access = await office(school, username)
    with pytest.raises(Forbidden):
        await preview(access)
    with pytest.raises(Forbidden):
        await apply(access)
    assert await where("HS7A101") == (YEAR, 7, "7A1")


async def test_a_constrained_grant_promotes_only_its_rows(school: School) -> None:
    await finish_year(school)
    # The test role may promote the pupils of 7A1 only, and only while they stay in 7A1.
    access = await office(school, "kt.thu")
    plan = await preview(access)
    assert [c.name for c in plan.classes] == ["7A1"]
    result = await apply(access)
    # H'Lan repeats grade 7 in 7A1 (still in the grant's rows); An would leave them.
    assert result.counts[RETAIN] == 1
    assert [(f.code, "ngoài phạm vi" in f.message) for f in result.failures] == [("HS7A101", True)]
    assert await where("HS7A201") == (YEAR, 7, "7A2")  # 7A2 is outside the grant


async def test_before_the_results_nobody_is_moved(school: School) -> None:
    plan = await preview(await office(school))
    assert plan.blocking == {"7A1": 3, "7A2": 3}
    assert {p.group for c in plan.classes for p in c.pupils} == {PENDING}
    assert {p.result for c in plan.classes for p in c.pupils} == {"Chưa có kết quả xét lên lớp"}
    assert plan.movers == 0


async def test_a_page_for_next_year_made_earlier_is_moved_not_replaced(school: School) -> None:
    await finish_year(school)
    early = await year_page(Placement(school_year=NEXT, grade=8, class_name="8A2"))
    early.homeroom_comment = "Ghi chú đầu năm"
    writer = system_writer("students", WRITER, source=WriteSource.API)
    await writer.update(school.pupil_id("HS7A101"), {f"years.{NEXT}": early})
    await apply(await office(school))
    page = (await pupil("HS7A101")).years[NEXT]
    assert (page.class_name, page.homeroom_teacher) == ("8A1", "gv.cn7a1")
    assert page.homeroom_comment == "Ghi chú đầu năm"
