"""Who may take which step is role data (seed/roles.py): for every workflow action and every
default role, the step is allowed, refused (403: the role lacks the action) or out of scope
(404: the role has the action, not on this book or request; or cannot see the book at all)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.errors import Conflict, Forbidden, NotFound
from app.scorebook.books import BookKey
from app.store import Access
from app.workflow import chain, requests
from app.workflow import school as school_locks
from app.workflow.chain import GapReasons
from app.workflow.requests import Proposal
from tests.admin.school import ACTING, YEAR, School

from .helpers import TOAN_HK1, approved, as_user, fill_book, seen_versions, through_check

OK, REFUSED, OUT = "allowed", "refused", "out of scope"
ROLES = ["bgh", "tocm", "gvcn", "gvbm", "vanphong", "cntt", ""]
HOMEROOM_HK1 = BookKey("homeroom", YEAR, "7A1", "hk1")

Step = Callable[[Access, School], Awaitable[Any]]


async def verdict(step: Step, access: Access, school: School) -> str:
    try:
        await step(access, school)
    except Forbidden:
        return REFUSED
    except NotFound:
        return OUT
    except Conflict:
        return OK  # let through the rules, stopped by the state (e.g. blockers)
    return OK


async def submitted(school: School) -> None:
    await fill_book(school)
    await chain.submit(await as_user(school, "gv.toan"), TOAN_HK1, GapReasons())


async def homeroom_submitted(school: School) -> None:
    teacher = await as_user(school, "gv.cn7a1")
    reasons = {school.pupil_id(c): "Chưa xếp loại" for c in ("HS7A101", "HS7A102", "HS7A103")}
    await chain.submit(teacher, HOMEROOM_HK1, GapReasons(reasons))


async def new_request(school: School, checked: bool = False, value: str = "9") -> str:
    """A fresh request on the (approved) Toán book, optionally checked by the group head."""
    request = await requests.propose(
        await as_user(school, "gv.toan"),
        TOAN_HK1,
        school.pupil_id("HS7A101"),
        [Proposal("ck", value)],
        "Nhầm",
        None,
    )
    if checked:
        await requests.check_request(await as_user(school, "tt.toan"), str(request.id), None)
    return str(request.id)


async def approve_step(access: Access, school: School) -> Any:
    return await chain.approve(
        access, TOAN_HK1, await seen_versions(await as_user(school, "bgh.ht"))
    )


CASES: dict[str, tuple[Callable[[School], Awaitable[Any]], Step, dict[str, str]]] = {
    "submit a subject book": (
        fill_book,
        lambda a, s: chain.submit(a, TOAN_HK1, GapReasons()),
        {"gvbm": OK, "gvcn": OUT, "tocm": REFUSED, "bgh": REFUSED, "vanphong": REFUSED},
    ),
    "check a subject book": (
        submitted,
        lambda a, s: chain.check(a, TOAN_HK1, None),
        {"tocm": OK, "bgh": OUT, "gvbm": REFUSED, "gvcn": REFUSED, "vanphong": REFUSED},
    ),
    "return a subject book": (
        submitted,
        lambda a, s: chain.return_book(a, TOAN_HK1, "Xem lại", {}),
        {"tocm": OK, "bgh": OUT, "gvbm": REFUSED, "gvcn": REFUSED, "vanphong": REFUSED},
    ),
    "check a homeroom book": (
        homeroom_submitted,
        lambda a, s: chain.check(a, HOMEROOM_HK1, None),
        {"bgh": OK, "tocm": OUT, "gvbm": OUT, "gvcn": REFUSED, "vanphong": REFUSED},
    ),
    "approve a book": (
        through_check,
        approve_step,
        {"bgh": OK, "tocm": REFUSED, "gvbm": REFUSED, "gvcn": REFUSED, "vanphong": REFUSED},
    ),
    "unlock a book": (
        approved,
        lambda a, s: chain.unlock(a, TOAN_HK1, "Nhầm"),
        {"bgh": OK, "tocm": REFUSED, "gvbm": REFUSED, "gvcn": REFUSED, "vanphong": REFUSED},
    ),
    "lock a term for the school": (
        fill_book,
        lambda a, s: school_locks.lock_school(a, YEAR, "hk1", None),
        {"bgh": OK, "tocm": REFUSED, "gvbm": REFUSED, "gvcn": REFUSED, "vanphong": REFUSED},
    ),
    "unlock a term for the school": (
        fill_book,
        lambda a, s: school_locks.unlock_school(a, YEAR, "hk1", "Xem lại"),
        {"bgh": OK, "tocm": REFUSED, "gvbm": REFUSED, "gvcn": REFUSED, "vanphong": REFUSED},
    ),
    "propose a correction": (
        approved,
        lambda a, s: requests.propose(
            a, TOAN_HK1, s.pupil_id("HS7A102"), [Proposal("ck", "9")], "Nhầm", None
        ),
        {"gvbm": OK, "gvcn": OUT, "tocm": REFUSED, "bgh": REFUSED, "vanphong": REFUSED},
    ),
}
# Without the book's pupils in view, every book step is out of scope.
for _, _, expected in CASES.values():
    expected.setdefault("cntt", OUT)
    expected.setdefault("", OUT)
CASES["lock a term for the school"][2].update({"cntt": REFUSED, "": REFUSED})
CASES["unlock a term for the school"][2].update({"cntt": REFUSED, "": REFUSED})
# Without the right to file requests at all: refused before any book is looked at.
CASES["propose a correction"][2].update({"cntt": REFUSED, "": REFUSED})


@pytest.mark.parametrize("case", list(CASES))
async def test_book_steps_for_every_role(school: School, case: str) -> None:
    prepare, step, expected = CASES[case]
    await prepare(school)
    found: dict[str, str] = {}
    # The allowed role acts last: its step changes the book's stage.
    for role in sorted(ROLES, key=lambda r: expected[r] == OK):
        found[role] = await verdict(step, await as_user(school, ACTING[role]), school)
    assert found == {r: expected[r] for r in ROLES}


RequestStep = Callable[[Access, str], Awaitable[Any]]
REQUEST_CASES: dict[str, tuple[bool, RequestStep, dict[str, str]]] = {
    "check a correction": (
        False,
        lambda a, rid: requests.check_request(a, rid, None),
        {"tocm": OK, "bgh": OUT, "gvbm": REFUSED, "gvcn": REFUSED, "vanphong": REFUSED},
    ),
    "refuse a correction": (
        False,
        lambda a, rid: requests.refuse_request(a, rid, "Không đủ minh chứng"),
        {"bgh": OK, "tocm": OK, "gvbm": REFUSED, "gvcn": OUT, "vanphong": OUT},
    ),
    "approve a correction": (
        True,
        lambda a, rid: requests.approve_request(a, rid, None),
        {"bgh": OK, "tocm": REFUSED, "gvbm": REFUSED, "gvcn": REFUSED, "vanphong": REFUSED},
    ),
}


@pytest.mark.parametrize("case", list(REQUEST_CASES))
async def test_request_steps_for_every_role(school: School, case: str) -> None:
    checked, step, expected = REQUEST_CASES[case]
    outsiders = OUT if case == "refuse a correction" else REFUSED
    expected = {"cntt": outsiders, "": outsiders, **expected}
    await approved(school)
    found: dict[str, str] = {}
    for index, role in enumerate(ROLES):  # a fresh request for each: an allowed step decides it
        request_id = await new_request(school, checked, value=str(index + 1))
        found[role] = await verdict(
            lambda a, s, rid=request_id: step(a, rid),  # type: ignore[misc]
            await as_user(school, ACTING[role]),
            school,
        )
    assert found == {r: expected[r] for r in ROLES}
