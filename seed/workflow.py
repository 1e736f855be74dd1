"""The demo school's books in the approval chain, consistent with the locks of its records:
past years stored officially (every book «Đã khóa»), the current year's term I approved and
locked for the school, term II being entered, with two books of 6A1 further along for the demo
(Khoa học tự nhiên handed in and waiting for its group's check, Lịch sử và Địa lí checked and
waiting for the board)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.store.directory import existing_keys
from models.user import User
from models.workflow import Gradebook, Stage, Step, StepKind

from .catalogue import CURRENT_YEAR, GROUP_OF, start_of, year_code
from .staff import StaffPlan

# (class, subject) of term II books further along the chain, and how far.
DEMO_SUBMITTED = ("6A1", "KHTN")
DEMO_CHECKED = ("6A1", "LSDL")
KEY = ("school_year", "class_name", "kind", "subject", "term")
BOOK_TIME = datetime(2026, 1, 12, 14, 0)
LOCK_TIME = datetime(2026, 1, 20, 8, 0)
HK2_TIME = datetime(2026, 4, 20, 9, 0)


def demo_stage(class_name: str, code: str) -> Stage | None:
    """The term II stage of a demo book further along the chain (None: being entered)."""
    if (class_name, code) == DEMO_SUBMITTED:
        return Stage.SUBMITTED
    if (class_name, code) == DEMO_CHECKED:
        return Stage.CHECKED
    return None


class _People:
    def __init__(self, staff: StaffPlan) -> None:
        self.staff = staff
        self.by_name = {u.username: u for u in staff.users}
        self.board = next(u for u in staff.users if "bgh" in u.roles)
        self.heads = {u.subject_group: u for u in staff.users if "tocm" in u.roles}

    def step(
        self, kind: StepKind, who: User | None, at: datetime, comment: str | None = None
    ) -> Step:
        actor = who or self.board
        return Step(
            kind=kind, actor_id=actor.username, actor_name=actor.full_name, at=at, comment=comment
        )

    def user(self, username: str | None) -> User | None:
        return self.by_name.get(username or "")


def _book(
    people: _People, year: str, cls: str, code: str | None, term: str, stage: Stage, at: datetime
) -> Gradebook:
    staff = people.staff
    if code is None:
        teacher = people.user(staff.homeroom_of.get(cls)) if year == CURRENT_YEAR else None
        checker, group = people.board, None
    else:
        teacher = people.user(staff.teacher_of.get((cls, code))) if year == CURRENT_YEAR else None
        group = GROUP_OF.get(code)
        checker = people.heads.get(group, people.board)
    steps: list[Step] = []
    if stage is not Stage.ENTERING:
        steps.append(people.step(StepKind.SUBMIT, teacher, at, "Đã nhập đủ, xin nộp sổ"))
    if stage in (Stage.CHECKED, Stage.APPROVED, Stage.LOCKED):
        steps.append(people.step(StepKind.CHECK, checker, at + timedelta(days=2), "Đạt"))
    if stage in (Stage.APPROVED, Stage.LOCKED):
        steps.append(people.step(StepKind.APPROVE, people.board, at + timedelta(days=5)))
    if stage is Stage.LOCKED:
        steps.append(
            people.step(StepKind.LOCK, people.board, at + timedelta(days=8), "Khóa sổ toàn trường")
        )
    return Gradebook(
        school_year=year,
        class_name=cls,
        kind="homeroom" if code is None else "subject",
        subject=code,
        term=term,  # type: ignore[arg-type]
        subject_group=group,
        teacher=teacher.username if teacher else None,
        stage=stage,
        steps=steps,
    )


async def demo_gradebooks(
    staff: StaffPlan, classes: list[str], subjects: list[str]
) -> list[Gradebook]:
    """The books of the demo school not stored yet."""
    people = _People(staff)
    existing = await existing_keys("gradebooks", KEY)
    books: list[Gradebook] = []
    current = start_of(CURRENT_YEAR)
    for start in range(current - 3, current + 1):
        year = year_code(start)
        offset = timedelta(days=365 * (start - current))
        for cls in classes:
            grade = int(cls[0]) - (current - start)
            if grade < 6:
                continue
            name = f"{grade}{cls[1:]}"
            for code in [*subjects, None]:
                if year != CURRENT_YEAR:
                    terms = {"hk1": Stage.LOCKED, "hk2": Stage.LOCKED, "year": Stage.LOCKED}
                else:
                    hk2 = demo_stage(name, code) if code else None
                    terms = {"hk1": Stage.LOCKED, **({"hk2": hk2} if hk2 else {})}
                for term, stage in terms.items():
                    at = (BOOK_TIME if term == "hk1" else HK2_TIME) + offset
                    book = _book(people, year, name, code, term, stage, at)
                    if tuple(getattr(book, k) for k in KEY) not in existing:
                        books.append(book)
    return books
