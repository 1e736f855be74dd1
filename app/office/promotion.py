"""Year-end promotion ("chuyển năm học"): once the school year is locked, the office moves its
pupils into next year's classes in one logged batch.

Each pupil goes by the promotion result stored in the year (``years.<Y>.promotion``): promoted
pupils move one grade up into the class chosen for their class (6A1 → 7A1 by default), pupils
who stay repeat their grade in a class of the same grade, promoted pupils of grade 9 graduate,
and pupils still waiting for summer re-training or re-assessment (or without a result) are
listed but not moved. Every move is a stamped write with the placement the pupil had when the
plan was made as its guard, so running it twice, or twice at once, moves nobody twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.errors import Forbidden, HocBaError, InvalidInput
from app.grading.promotion import FINAL_GRADE, Outcome
from app.records.diff import get_path
from app.store import Access, Writer
from app.store.directory import classes_of, school_year_codes, unlocked_classes
from app.store.writes import CONFLICT, SAVED, UNCHANGED, BatchItem
from models.common import WriteSource
from models.role import Action
from models.student import SCHOOL_YEAR_PATTERN
from models.student_parts import Placement, SchoolYearRecord, Status

from .placement import follow_placement, year_page

PROMOTE, RETAIN, GRADUATE, PENDING, DONE = "promote", "retain", "graduate", "pending", "done"
GROUP_LABELS = {
    PROMOTE: "Lên lớp",
    RETAIN: "Ở lại lớp",
    GRADUATE: "Tốt nghiệp",
    # Also the pupils with no result yet, not only those retraining or re-assessed in summer.
    PENDING: "Chờ kết quả xét lên lớp",
    DONE: "Đã chuyển",
}
NO_RESULT = "Chưa có kết quả xét lên lớp"
MOVED_MEANWHILE = "Hồ sơ đã được chuyển hoặc sửa trong lúc chuyển năm học; hãy xem lại"
CHUNK = 50  # pupils per write (one class): progress between them
NOT_ALLOWED = "Bạn không có quyền chuyển năm học"


def next_school_year(school_year: str) -> str:
    match = SCHOOL_YEAR_PATTERN.match(school_year)
    if match is None:
        raise InvalidInput(f"Năm học «{school_year}» không hợp lệ", field="school_year")
    start = int(match.group(1)) + 1
    return f"{start}-{start + 1}"


def reason_for(school_year: str, next_year: str) -> str:
    return f"Chuyển năm học {school_year} → {next_year}"


def may_promote(access: Access) -> bool:
    return access.can("students", Action.PROMOTE)


@dataclass(frozen=True)
class Pupil:
    id: Any
    code: str
    name: str
    group: str
    result: str  # the promotion result in words
    target: str | None = None  # the class next year (promote, retain, done)


@dataclass
class ClassPlan:
    """One class of the school year: its pupils by group and where they go."""

    name: str
    grade: int
    pupils: list[Pupil] = field(default_factory=list)
    promote_to: str | None = None
    retain_to: str | None = None
    promote_choices: list[str] = field(default_factory=list)
    retain_choices: list[str] = field(default_factory=list)

    def of(self, group: str) -> list[Pupil]:
        return [p for p in self.pupils if p.group == group]

    @property
    def counts(self) -> dict[str, int]:
        return {group: len(self.of(group)) for group in GROUP_LABELS}


@dataclass
class Preview:
    school_year: str
    next_year: str
    school_years: list[str]  # the catalogue's, to choose from
    next_year_known: bool
    blocking: dict[str, int]  # class -> pupils whose year is not locked
    classes: list[ClassPlan]
    problems: list[str]  # why it cannot be applied now (empty: it can)

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def counts(self) -> dict[str, int]:
        return {g: sum(c.counts[g] for c in self.classes) for g in GROUP_LABELS}

    @property
    def movers(self) -> int:
        counts = self.counts
        return counts[PROMOTE] + counts[RETAIN] + counts[GRADUATE]


@dataclass
class Failure:
    code: str
    name: str
    message: str


@dataclass
class Result:
    school_year: str
    next_year: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUP_LABELS, 0))
    failures: list[Failure] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.counts[PROMOTE] + self.counts[RETAIN] + self.counts[GRADUATE]


async def preview(
    access: Access,
    school_year: str | None = None,
    *,
    promote_to: Mapping[str, str] | None = None,
    retain_to: Mapping[str, str] | None = None,
) -> Preview:
    """Who goes where, for the pupils in the user's promotion scope; ``promote_to`` and
    ``retain_to`` (source class -> class next year) override the proposed classes."""
    if not may_promote(access):
        raise Forbidden(NOT_ALLOWED)
    years, current = await school_year_codes()
    year = school_year or current or (years[-1] if years else "")
    if not year:
        raise InvalidInput("Danh mục chưa có năm học nào", field="school_year")
    if year not in years:
        raise InvalidInput(f"Năm học «{year}» không có trong danh mục", field="school_year")
    following = next_school_year(year)
    catalogue = await classes_of(following)
    classes = await _class_plans(access, year, following, catalogue)
    problems: list[str] = []
    if following not in years or not catalogue:
        problems.append(
            f"Năm học {following} chưa có trong danh mục (năm học và các lớp): tổ Công nghệ "
            "thông tin cần khai báo trước khi chuyển năm học"
        )
    blocking = await unlocked_classes(year)
    if blocking:
        listed = ", ".join(f"{name} ({count} học sinh)" for name, count in sorted(blocking.items()))
        problems.append(f"Năm học {year} chưa khóa sổ ở các lớp: {listed}")
    for plan in classes:
        problems += _choose(plan, dict(promote_to or {}), dict(retain_to or {}))
    return Preview(
        school_year=year,
        next_year=following,
        school_years=years,
        next_year_known=following in years and bool(catalogue),
        blocking=blocking,
        classes=classes,
        problems=problems,
    )


@dataclass
class Batch:
    """A checked promotion ready to write: one change per pupil, one writer (one reason, one
    request) for all of them, and the pupils who could not be prepared."""

    result: Result
    items: list[BatchItem]
    movers: list[Pupil]
    writer: Writer

    @property
    def total(self) -> int:
        return len(self.items)


async def prepare(
    access: Access,
    school_year: str | None = None,
    *,
    promote_to: Mapping[str, str] | None = None,
    retain_to: Mapping[str, str] | None = None,
) -> Batch:
    """The batch :func:`preview` shows; refused (nothing to write) while it names a problem."""
    plan = await preview(access, school_year, promote_to=promote_to, retain_to=retain_to)
    if access.read_only:
        raise Forbidden("Chế độ xem thử chỉ đọc: không chuyển năm học được")
    if not plan.ready:
        raise InvalidInput("; ".join(plan.problems), field="school_year")
    result = Result(plan.school_year, plan.next_year)
    items: list[BatchItem] = []
    movers: list[Pupil] = []
    pages: dict[tuple[int, str], SchoolYearRecord] = {}
    stored = await _stored_years(access, plan)
    for klass in plan.classes:
        seen = {
            "current.school_year": plan.school_year,
            "current.class_name": klass.name,
            "status": Status.STUDYING.value,
        }
        for pupil in klass.pupils:
            try:
                item = await _move(pupil, klass, plan.next_year, pages, stored.get(pupil.id))
            except HocBaError as exc:
                result.failures.append(Failure(pupil.code, pupil.name, exc.message))
                continue
            if item is not None:
                items.append(BatchItem(pupil.id, item[0], seen=seen, follow=item[1]))
                movers.append(pupil)
    writer = access.writer(
        "students",
        Action.PROMOTE,
        source=WriteSource.ADMIN,
        reason=reason_for(plan.school_year, plan.next_year),
    )
    return Batch(result, items, movers, writer)


async def write(batch: Batch, progress: Callable[[int], None] | None = None) -> Result:
    """Write the batch, ``CHUNK`` pupils at a time (``progress`` hears how many are done)."""
    result = batch.result
    for start in range(0, batch.total, CHUNK):
        movers = batch.movers[start : start + CHUNK]
        outcomes = await batch.writer.update_many(batch.items[start : start + CHUNK])
        for pupil, outcome in zip(movers, outcomes, strict=True):
            if outcome.status in (SAVED, UNCHANGED):
                result.counts[pupil.group] += 1
            elif outcome.status == CONFLICT:
                result.failures.append(Failure(pupil.code, pupil.name, MOVED_MEANWHILE))
            else:
                result.failures.append(Failure(pupil.code, pupil.name, outcome.message or ""))
        if progress is not None:
            progress(start + len(movers))
    return result


async def apply(
    access: Access,
    school_year: str | None = None,
    *,
    promote_to: Mapping[str, str] | None = None,
    retain_to: Mapping[str, str] | None = None,
) -> Result:
    """Move the pupils as :func:`preview` shows them, in one logged batch."""
    batch = await prepare(access, school_year, promote_to=promote_to, retain_to=retain_to)
    return await write(batch)


async def _move(
    pupil: Pupil,
    klass: ClassPlan,
    next_year: str,
    pages: dict[tuple[int, str], SchoolYearRecord],
    stored: dict[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """One pupil's changes and what follows from them (None: the pupil does not move)."""
    if pupil.group == GRADUATE:
        return {"status": Status.GRADUATED}, None
    if pupil.group not in (PROMOTE, RETAIN) or pupil.target is None:
        return None
    grade = klass.grade + 1 if pupil.group == PROMOTE else klass.grade
    placement = Placement(school_year=next_year, grade=grade, class_name=pupil.target)
    if stored is not None:
        # A page for next year exists already: the class move's rules apply.
        return {"current": placement}, await follow_placement(stored, placement)
    key = (grade, pupil.target)
    if key not in pages:
        pages[key] = await year_page(placement)
    return {"current": placement}, {f"years.{next_year}": pages[key]}


async def _stored_years(access: Access, plan: Preview) -> dict[Any, dict[str, Any]]:
    """Pupils who already have a page for next year (moved back by hand, enrolled twice)."""
    ids = [p.id for c in plan.classes for p in c.pupils if p.group in (PROMOTE, RETAIN)]
    if not ids:
        return {}
    handle = access.handle("students", Action.PROMOTE)
    found = await handle.find(
        {"_id": {"$in": ids}, f"years.{plan.next_year}": {"$exists": True}},
        only=("years",),
    )
    return {f.id: f.stored for f in found}


async def _class_plans(
    access: Access, year: str, following: str, catalogue: list[dict[str, Any]]
) -> list[ClassPlan]:
    handle = access.handle("students", Action.PROMOTE)
    found = await handle.find(
        {
            f"years.{year}": {"$exists": True},
            "status": {"$in": [Status.STUDYING.value, Status.GRADUATED.value]},
            "current.school_year": {"$in": [year, following]},
        },
        only=(
            "code",
            "profile.full_name",
            "status",
            "current",
            *(f"years.{year}.{part}" for part in ("grade", "class_name", "promotion")),
        ),
        sort=[("code", 1)],
    )
    plans: dict[str, ClassPlan] = {}
    for record in found:
        page = (record.stored.get("years") or {}).get(year) or {}
        name, grade = page.get("class_name", ""), int(page.get("grade") or 0)
        plan = plans.get(name)
        if plan is None:
            plan = plans[name] = ClassPlan(name=name, grade=grade)
            plan.promote_choices = [c["name"] for c in catalogue if c.get("grade") == grade + 1]
            plan.retain_choices = [c["name"] for c in catalogue if c.get("grade") == grade]
        plan.pupils.append(_pupil(record.stored, page, year))
    return [plans[name] for name in sorted(plans, key=lambda n: (plans[n].grade, n))]


def _pupil(stored: dict[str, Any], page: dict[str, Any], year: str) -> Pupil:
    current = stored.get("current") or {}
    common = {
        "id": stored["_id"],
        "code": stored.get("code", ""),
        "name": get_path(stored, "profile.full_name") or "",
    }
    grade = int(page.get("grade") or 0)
    if current.get("school_year") != year:
        return Pupil(**common, group=DONE, result="Đã chuyển", target=current.get("class_name"))
    if stored.get("status") == Status.GRADUATED.value:
        return Pupil(**common, group=DONE, result="Đã tốt nghiệp")
    promotion = page.get("promotion") or {}
    try:
        outcome = Outcome(promotion.get("outcome"))
    except ValueError:
        return Pupil(**common, group=PENDING, result=NO_RESULT)
    label = outcome.label_for(grade)
    if outcome is Outcome.PROMOTED:
        return Pupil(**common, group=GRADUATE if grade >= FINAL_GRADE else PROMOTE, result=label)
    if outcome is Outcome.RETAINED:
        return Pupil(**common, group=RETAIN, result=label)
    return Pupil(**common, group=PENDING, result=label)


def proposed(name: str, grade: int, choices: list[str]) -> str | None:
    """The class next year a class's pupils go to by default: the same name with the new
    grade (6A1 → 7A1; 9A1 stays 9A1 for pupils repeating grade 9)."""
    guess = f"{grade}{name[1:]}" if name[:1].isdigit() else name
    return guess if guess in choices else None


def _choose(plan: ClassPlan, promote_to: dict[str, str], retain_to: dict[str, str]) -> list[str]:
    """Set where the class's pupils go and answer what is missing or wrong."""
    problems: list[str] = []
    wanted = (
        (PROMOTE, plan.grade + 1, plan.promote_choices, promote_to.get(plan.name)),
        (RETAIN, plan.grade, plan.retain_choices, retain_to.get(plan.name)),
    )
    for group, grade, choices, chosen in wanted:
        target = (chosen or "").strip() or proposed(plan.name, grade, choices)
        if chosen and chosen.strip() and chosen.strip() not in choices and plan.of(group):
            problems.append(
                f"Lớp {plan.name}: lớp «{chosen.strip()}» không phải lớp khối {grade} của năm "
                "học mới"
            )
            target = None
        elif target is None and plan.of(group):
            problems.append(
                f"Lớp {plan.name}: hãy chọn lớp khối {grade} năm học mới cho học sinh "
                f"{GROUP_LABELS[group].lower()}"
            )
        if group == PROMOTE:
            plan.promote_to = target
        else:
            plan.retain_to = target
        plan.pupils = [
            Pupil(p.id, p.code, p.name, p.group, p.result, target) if p.group == group else p
            for p in plan.pupils
        ]
    return problems
