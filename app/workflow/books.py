"""A book in the chain: its document (where it stands), its lock in the pupil records, who may
act on it, and the school's books of a term."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.errors import Forbidden, NotFound
from app.records.paths import HOMEROOM_BOOK, LockScope
from app.scorebook.books import BookKey
from app.scorebook.columns import subject_of
from app.store import Access
from app.store.directory import find_gradebook, homeroom_teacher, subject_group, subject_teachers
from models.role import ACTION_LABELS, Action
from models.student_parts import TERM_LABELS
from models.workflow import STAGE_LABELS, Gradebook, Stage

NO_BOOK = "Không tìm thấy sổ này hoặc sổ không thuộc phạm vi của bạn"
# Separation of duties: the steps after a submission are never taken by the one who submitted.
OWN_BOOK = {
    Action.CHECK: "Sổ này do chính bạn nộp nên bạn không thể tự kiểm tra hoặc trả lại; "
    "Ban giám hiệu kiểm tra sổ này",
    Action.APPROVE: "Sổ này do chính bạn nộp nên bạn không thể tự duyệt hoặc trả lại; cần một "
    "thành viên khác của Ban giám hiệu",
}


def book_lock(key: BookKey) -> LockScope:
    """The book's own lock in each of its pupils' records."""
    return LockScope(key.school_year, key.term, key.subject or HOMEROOM_BOOK)


def key_of(doc: Gradebook | dict[str, Any]) -> BookKey:
    data: dict[str, Any] = doc.model_dump() if isinstance(doc, Gradebook) else doc
    return BookKey(
        data["kind"], data["school_year"], data["class_name"], data["term"], data.get("subject")
    )


def book_name(key: BookKey) -> str:
    """ "Sổ điểm môn Toán lớp 6A1, Học kỳ I năm học 2025-2026"."""
    if key.kind == "subject":
        subject = subject_of(key.subject or "")
        what = f"Sổ điểm môn {subject.name if subject else key.subject}"
    else:
        what = "Sổ chủ nhiệm"
    return f"{what} lớp {key.class_name}, {TERM_LABELS[key.term]} năm học {key.school_year}"


def stage_label(stage: Stage | str) -> str:
    return STAGE_LABELS[Stage(stage)]


async def stored_gradebook(key: BookKey) -> Gradebook | None:
    raw = await find_gradebook(key.school_year, key.class_name, key.kind, key.subject, key.term)
    return Gradebook.model_validate(raw) if raw is not None else None


async def new_gradebook(key: BookKey) -> Gradebook:
    """The document of a book no step has been taken on yet (not stored): its teacher is the
    one assigned now, its subject group the catalogue's."""
    if key.kind == "subject":
        teacher = (await subject_teachers(key.class_name)).get(key.subject or "")
        group = await subject_group(key.subject or "")
    else:
        teacher, group = await homeroom_teacher(key.class_name), None
    return Gradebook(
        school_year=key.school_year,
        class_name=key.class_name,
        kind=key.kind,
        subject=key.subject,
        term=key.term,
        subject_group=group,
        teacher=teacher,
    )


async def gradebook(key: BookKey) -> Gradebook:
    """The book's document, stored or (before its first step) as it would be created."""
    return await stored_gradebook(key) or await new_gradebook(key)


def granted(access: Access, action: Action, doc: Gradebook) -> bool:
    """Whether the reader's role rules grant ``action`` on this book (rules as data)."""
    return access.can("gradebooks", action) and access.scope("gradebooks", action).matches(doc)


def own_submission(access: Access, action: Action, doc: Gradebook) -> bool:
    """Whether ``action`` would be taken on a book by the very one who submitted it."""
    return action in OWN_BOOK and doc.submitter_id == access.actor().id


def may(access: Access, action: Action, doc: Gradebook) -> bool:
    """Whether the reader may take ``action`` on this book: granted by their rules, and not a
    check or an approval of their own submission."""
    return granted(access, action, doc) and not own_submission(access, action, doc)


def require(access: Access, action: Action, doc: Gradebook) -> None:
    """Refuse a step the reader may not take: 403 without the action at all, 404 for a book
    outside the rows their rule covers (never revealed), 403 for a check or an approval of
    what they submitted themselves."""
    if not access.can("gradebooks", action):
        raise Forbidden(f"Bạn không có quyền «{ACTION_LABELS[action]}» sổ điểm")
    if own_submission(access, action, doc):
        raise Forbidden(OWN_BOOK[action])
    if not access.scope("gradebooks", action).matches(doc):
        raise NotFound(NO_BOOK)


@dataclass(frozen=True)
class BookStatus:
    """One book of the school in a term, and where it stands."""

    key: BookKey
    stage: Stage
    doc: Gradebook | None

    @property
    def name(self) -> str:
        return book_name(self.key)

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)
