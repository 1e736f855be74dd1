"""The chain of one book: submit (with reasons for gaps), return, resubmit, check, approve
(locks in every record), the school's term lock with its blockers, and unlocking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.clock import utcnow
from app.context import SYSTEM_ACTOR
from app.errors import Conflict, Forbidden, InvalidInput, TermLocked
from app.records.approved import approved_view
from app.scorebook.books import BookKey, load_book
from app.store import access_for, system_writer
from app.workflow import chain
from app.workflow import school as school_locks
from app.workflow.books import gradebook, may, new_gradebook, require
from app.workflow.chain import ChangedSinceLoaded, GapReasons
from app.workflow.inbox import inbox
from models.common import WriteSource
from models.role import Action
from models.user import User
from models.workflow import Gradebook, Stage, Step, StepKind
from tests.admin.school import YEAR, School

from .helpers import (
    SCORES,
    TOAN_HK1,
    approved,
    as_user,
    fill_book,
    lock_of,
    raw,
    seen_versions,
    slip_in,
    through_check,
)


async def stored_book() -> Gradebook:
    found = await Gradebook.find_one({"class_name": "7A1", "subject": "TOAN", "term": "hk1"})
    assert found is not None
    return found


async def test_the_whole_chain_with_a_return_and_a_resubmission(school: School) -> None:
    teacher = await as_user(school, "gv.toan")
    head = await as_user(school, "tt.toan")
    board = await as_user(school, "bgh.ht")
    await fill_book(school, ("HS7A101", "HS7A102"))  # HS7A103 still has nothing

    # Gaps need a reason per pupil.
    with pytest.raises(InvalidInput) as refused:
        await chain.submit(teacher, TOAN_HK1, GapReasons())
    assert "H' Hen Niê" in refused.value.message
    hen = school.pupil_id("HS7A103")
    book = await chain.submit(teacher, TOAN_HK1, GapReasons({hen: "Ốm dài ngày, kiểm tra bù sau"}))
    assert book.stage is Stage.SUBMITTED
    assert [g.student_name for g in book.gaps] == ["H' Hen Niê"]
    assert "GK" in (book.gaps[0].path or "")
    assert lock_of(await raw(school, "HS7A103"))["submitted"] is True

    # Submitted: read-only for the teacher, on the server.
    writer = teacher.writer("students", "edit", source="grid")  # type: ignore[arg-type]
    with pytest.raises(TermLocked) as locked:
        await writer.update(hen, {f"{SCORES}.gk": Decimal("5")})
    assert "đã nộp, đang chờ kiểm tra" in locked.value.message
    # …and never "approved" for parents.
    assert (
        "hk1" not in approved_view(await raw(school, "HS7A101"))["years"][YEAR]["subjects"]["TOAN"]
    )

    # The group head returns it with a note on one pupil.
    book = await chain.return_book(head, TOAN_HK1, "Thiếu điểm, cần bổ sung", {hen: "Nhập bù GK"})
    assert book.stage is Stage.ENTERING
    assert [n.text for n in book.returned] == ["Nhập bù GK"]
    assert lock_of(await raw(school, "HS7A103"))["submitted"] is False

    # Open again: the teacher completes and resubmits without gaps.
    await fill_book(school, ("HS7A103",))
    book = await chain.submit(teacher, TOAN_HK1, GapReasons())
    assert book.stage is Stage.SUBMITTED
    assert book.gaps == []
    assert book.returned == []

    book = await chain.check(head, TOAN_HK1, "Đạt")
    assert book.stage is Stage.CHECKED
    assert set(book.checked_versions) == {
        school.pupil_id(c) for c in ("HS7A101", "HS7A102", "HS7A103")
    }

    seen = await seen_versions(board)
    book = await chain.approve(board, TOAN_HK1, seen, "Đồng ý")
    assert book.stage is Stage.APPROVED
    assert book.approved_versions == seen
    assert [s.kind for s in book.steps] == [
        StepKind.SUBMIT,
        StepKind.RETURN,
        StepKind.SUBMIT,
        StepKind.CHECK,
        StepKind.APPROVE,
    ]
    assert all(s.actor_name and s.at for s in book.steps)
    assert book.steps[1].comment == "Thiếu điểm, cần bổ sung"
    for code in ("HS7A101", "HS7A102", "HS7A103"):
        record = await raw(school, code)
        assert lock_of(record)["locked"] is True
        assert lock_of(record)["by"] == "Lò Văn Hiệu"
        assert lock_of(record)["submitted"] is False
        view = approved_view(record)["years"][YEAR]["subjects"]["TOAN"]
        assert view["hk1"]["ck"] is not None  # parents may now read it
    # Locked: refused for the teacher, with the correction request named.
    with pytest.raises(TermLocked) as closed:
        await writer.update(hen, {f"{SCORES}.gk": Decimal("5")})
    assert "yêu cầu điều chỉnh" in closed.value.message

    # Every step was a stamped write of the book's document.
    stored = await stored_book()
    assert stored.meta is not None
    assert stored.meta.actor_name == "Lò Văn Hiệu"
    assert stored.version == 6  # created, then five steps


async def test_steps_out_of_order_are_refused(school: School) -> None:
    head = await as_user(school, "tt.toan")
    board = await as_user(school, "bgh.ht")
    with pytest.raises(Conflict, match="Đang nhập"):
        await chain.check(head, TOAN_HK1, None)
    await fill_book(school)
    await chain.submit(await as_user(school, "gv.toan"), TOAN_HK1, GapReasons())
    with pytest.raises(Conflict, match="Đã nộp"):
        await chain.approve(board, TOAN_HK1, await seen_versions(board))
    with pytest.raises(InvalidInput, match="nhận xét"):
        await chain.return_book(head, TOAN_HK1, "  ", {})


async def test_a_change_slipped_in_before_approval_is_never_approved_unseen(school: School) -> None:
    await through_check(school)
    board = await as_user(school, "bgh.ht")
    seen = await seen_versions(board)  # what the board's page showed
    # Between the board's look and its click, a record of the book changes.
    await slip_in(school, "HS7A102", f"{SCORES}.ck", Decimal("2"))
    with pytest.raises(ChangedSinceLoaded) as refused:
        await chain.approve(board, TOAN_HK1, seen, "Đồng ý")
    assert refused.value.names == ["Ksor Thị H'Lan"]
    assert "Ksor Thị H'Lan" in refused.value.message
    for code in ("HS7A101", "HS7A102", "HS7A103"):
        assert lock_of(await raw(school, code))["locked"] is False
    assert (await stored_book()).stage is Stage.CHECKED
    # Reloaded, the board sees the change and approves what it now sees.
    fresh = await seen_versions(board)
    book = await chain.approve(board, TOAN_HK1, fresh, "Đã xem lại")
    assert book.approved_versions == fresh


async def test_a_change_racing_the_approval_write_unlocks_what_was_locked(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race inside the approval itself: a record changes after the versions were compared
    but before its lock is written. The approval refuses and no record stays locked."""
    await through_check(school)
    board = await as_user(school, "bgh.ht")
    seen = await seen_versions(board)
    real_load = chain.load_book
    calls = {"n": 0}

    async def load_then_change(access, key):  # type: ignore[no-untyped-def]
        book = await real_load(access, key)
        calls["n"] += 1
        if calls["n"] == 1:
            await slip_in(school, "HS7A103", f"{SCORES}.gk", Decimal("3"))
        return book

    monkeypatch.setattr(chain, "load_book", load_then_change)
    with pytest.raises(ChangedSinceLoaded):
        await chain.approve(board, TOAN_HK1, seen, "Đồng ý")
    for code in ("HS7A101", "HS7A102", "HS7A103"):
        record = await raw(school, code)
        assert lock_of(record)["locked"] is False
        assert lock_of(record)["submitted"] is True  # still waiting for approval
    assert (await stored_book()).stage is Stage.CHECKED


async def test_the_school_lock_waits_for_every_book_then_locks_and_unlocks(school: School) -> None:
    board = await as_user(school, "bgh.ht")
    state = await school_locks.school_lock(board, YEAR, "hk1")
    assert not state.locked
    blockers = {b.name for b in state.blockers}
    assert "Sổ điểm môn Toán lớp 7A1, Học kỳ I năm học 2025-2026" in blockers
    assert "Sổ chủ nhiệm lớp 7A2, Học kỳ I năm học 2025-2026" in blockers
    with pytest.raises(Conflict, match="chưa được Ban giám hiệu duyệt"):
        await school_locks.lock_school(board, YEAR, "hk1", None)
    await approved(school)
    state = await school_locks.school_lock(board, YEAR, "hk1")
    toan = next(b for b in state.books if b.key.subject == "TOAN" and b.key.class_name == "7A1")
    assert toan.stage is Stage.APPROVED
    assert toan not in state.blockers


async def test_the_board_locks_a_term_once_all_books_are_approved(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = await as_user(school, "bgh.ht")
    await approved(school)
    state = await school_locks.school_lock(board, YEAR, "hk1")
    # Every other book approved by the board directly (documents only: the test's shortcut).
    for status in state.blockers:
        doc = status.doc
        if doc is None:
            doc = await new_gradebook(status.key)
        doc.stage = Stage.APPROVED
        await doc.save()
    state = await school_locks.lock_school(board, YEAR, "hk1", "Khóa sổ học kỳ I")
    assert state.locked
    assert not state.blockers
    record = await raw(school, "HS7A201")
    assert record["years"][YEAR]["locks"]["hk1"]["locked"] is True
    assert (await stored_book()).stage is Stage.LOCKED
    # A book of a locked term opens only after the school's lock.
    with pytest.raises(Conflict, match="toàn trường"):
        await chain.unlock(board, TOAN_HK1, "Sửa nhầm")
    with pytest.raises(InvalidInput, match="lý do"):
        await school_locks.unlock_school(board, YEAR, "hk1", "")
    state = await school_locks.unlock_school(board, YEAR, "hk1", "Thanh tra yêu cầu xem lại")
    assert not state.locked
    assert (await raw(school, "HS7A201"))["years"][YEAR]["locks"]["hk1"]["locked"] is False
    book = await stored_book()
    assert book.stage is Stage.APPROVED
    assert book.steps[-1].kind is StepKind.UNLOCK
    assert book.steps[-1].comment == "Thanh tra yêu cầu xem lại"
    book = await chain.unlock(board, TOAN_HK1, "Sửa nhầm điểm")
    assert book.stage is Stage.ENTERING
    assert lock_of(await raw(school, "HS7A101"))["locked"] is False


async def test_a_book_returned_while_the_board_approves_ends_open_to_its_teacher(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group head returns the book between the board's lock writes and its step: the
    approval fails, and the records end as the returned book wants them (open to entry)."""
    await through_check(school)
    board = await as_user(school, "bgh.ht")
    seen = await seen_versions(board)
    real_set_lock = chain._set_lock

    async def lock_then_return(*args, **kwargs):  # type: ignore[no-untyped-def]
        answer = await real_set_lock(*args, **kwargs)
        if kwargs.get("expected") is not None:
            book = await stored_book()
            book.stage = Stage.ENTERING  # returned meanwhile (the document moved on)
            book.version += 1
            await book.save()
        return answer

    monkeypatch.setattr(chain, "_set_lock", lock_then_return)
    with pytest.raises(Conflict):
        await chain.approve(board, TOAN_HK1, seen, "Đồng ý")
    for code in ("HS7A101", "HS7A102", "HS7A103"):
        lock = lock_of(await raw(school, code))
        assert lock["locked"] is False
        assert lock["submitted"] is False


async def test_a_group_heads_own_book_is_checked_by_the_board(school: School) -> None:
    """Nobody checks or approves what they submitted: the group head who teaches the subject
    hands the book in, the board checks it, and the head's inbox does not list it."""
    await fill_book(school)
    users = system_writer("users", SYSTEM_ACTOR, source=WriteSource.SYSTEM, reason="Phân công")
    await users.update(school.users["gv.toan"].id, {"teaching": []})  # type: ignore[arg-type]
    head_user = await users.update(
        school.users["tt.toan"].id,  # type: ignore[arg-type]
        {"roles": ["tocm", "gvbm"], "teaching": [{"class_name": "7A1", "subject": "TOAN"}]},
    )
    assert isinstance(head_user, User)
    head = await access_for(head_user)
    board = await as_user(school, "bgh.ht")

    await chain.submit(head, TOAN_HK1, GapReasons())
    book = await stored_book()
    assert book.teacher == "tt.toan"
    assert book.checked_by_board
    assert book.submitter_id == str(head_user.id)
    with pytest.raises(Forbidden, match="chính bạn nộp"):
        await chain.check(head, TOAN_HK1, "Tự kiểm tra")
    with pytest.raises(Forbidden, match="chính bạn nộp"):
        await chain.return_book(head, TOAN_HK1, "Tự trả lại", {})
    assert [i.kind for g in await inbox(head) for i in g.items if i.kind == "to_check"] == []
    to_check = [i for g in await inbox(board) for i in g.items if i.kind == "to_check"]
    assert [i.book for i in to_check] == [
        {"kind": "subject", "year": YEAR, "class": "7A1", "term": "hk1", "subject": "TOAN"}
    ]

    await chain.check(board, TOAN_HK1, "Ban giám hiệu đã kiểm tra")
    await chain.approve(board, TOAN_HK1, await seen_versions(board), "Đồng ý")
    assert (await stored_book()).stage is Stage.APPROVED

    # A book another teacher submits goes to the group head as before.
    hk2 = BookKey("subject", YEAR, "7A1", "hk2", "TOAN")
    await users.update(school.users["tt.toan"].id, {"teaching": []})  # type: ignore[arg-type]
    await users.update(
        school.users["gv.toan"].id,  # type: ignore[arg-type]
        {"teaching": [{"class_name": "7A1", "subject": "TOAN"}]},
    )
    teacher = await as_user(school, "gv.toan")
    reasons = GapReasons({row.id: "Chưa đến kỳ" for row in (await load_book(teacher, hk2)).rows})
    await chain.submit(teacher, hk2, reasons)
    assert not (await gradebook(hk2)).checked_by_board
    await chain.check(await as_user(school, "tt.toan"), hk2, "Đủ")


async def test_nobody_approves_a_book_they_submitted(school: School) -> None:
    board = await as_user(school, "bgh.ht")
    doc = (await new_gradebook(TOAN_HK1)).model_copy(
        update={
            "stage": Stage.CHECKED,
            "steps": [
                Step(kind=StepKind.SUBMIT, actor_id=board.actor().id, actor_name="x", at=utcnow())
            ],
        }
    )
    with pytest.raises(Forbidden, match="không thể tự duyệt"):
        require(board, Action.APPROVE, doc)
    assert not may(board, Action.APPROVE, doc)
    someone_else = doc.model_copy(
        update={"steps": [doc.steps[0].model_copy(update={"actor_id": "another"})]}
    )
    require(board, Action.APPROVE, someone_else)
