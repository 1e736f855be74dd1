"""«Việc cần làm»: what waits for one user, from a list of providers (one per kind of item).

Another source (parents' reports, say) is added with one call to :func:`register`. Each
provider answers the items for the request's access, within the reader's role rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.store import Access
from models.role import Action
from models.workflow import (
    REQUEST_KIND_LABELS,
    REQUEST_STATUS_LABELS,
    STAGE_LABELS,
    CorrectionRequest,
    Gradebook,
    RequestStatus,
    Stage,
)

from .books import book_name, key_of, own_submission

MAX_ITEMS = 200  # per provider; the page says when there are more


@dataclass(frozen=True)
class Item:
    kind: str  # the provider's code
    title: str
    detail: str
    # What to open: a book (its key's query), a request (its id) or a parent's report (its id).
    book: dict[str, str] | None = None
    request_id: str | None = None
    report_id: str | None = None


@dataclass(frozen=True)
class Provider:
    code: str
    label: str  # the group's heading
    find: Callable[[Access], Awaitable[list[Item]]]


PROVIDERS: list[Provider] = []


def register(code: str, label: str) -> Callable[[Callable[[Access], Awaitable[list[Item]]]], Any]:
    """Add a kind of item to every user's inbox (a decorator of its provider function)."""

    def add(
        find: Callable[[Access], Awaitable[list[Item]]],
    ) -> Callable[[Access], Awaitable[list[Item]]]:
        PROVIDERS[:] = [p for p in PROVIDERS if p.code != code]
        PROVIDERS.append(Provider(code, label, find))
        return find

    return add


@dataclass
class Group:
    provider: Provider
    items: list[Item]

    @property
    def more(self) -> bool:
        return len(self.items) >= MAX_ITEMS


async def inbox(access: Access) -> list[Group]:
    """Every provider's items for this user (groups without items left out)."""
    groups = [Group(p, await p.find(access)) for p in PROVIDERS]
    return [g for g in groups if g.items]


async def count(access: Access) -> int:
    return sum(len(g.items) for g in await inbox(access))


def _book_query(doc: dict[str, Any]) -> dict[str, str]:
    key = key_of(doc)
    query = {"kind": key.kind, "year": key.school_year, "class": key.class_name, "term": key.term}
    if key.subject:
        query["subject"] = key.subject
    return query


async def _books(access: Access, action: Action, query: dict[str, Any]) -> list[dict[str, Any]]:
    if not access.can("gradebooks", action):
        return []
    handle = access.handle("gradebooks", action)
    found = await handle.find(query, sort=[("class_name", 1), ("subject", 1)], limit=MAX_ITEMS)
    return [f.stored for f in found]


def _book_item(code: str, doc: dict[str, Any], detail: str) -> Item:
    return Item(code, book_name(key_of(doc)), detail, book=_book_query(doc))


@register("returned", "Sổ bị trả lại, cần sửa rồi nộp lại")
async def returned_books(access: Access) -> list[Item]:
    docs = await _books(
        access, Action.SUBMIT, {"stage": Stage.ENTERING.value, "returned.0": {"$exists": True}}
    )
    return [_book_item("returned", d, f"{len(d.get('returned') or [])} ghi chú") for d in docs]


@register("to_submit", "Sổ cần nộp")
async def books_to_submit(access: Access) -> list[Item]:
    """The reader's books of the current year, each for its first term not handed in yet
    (a returned book is listed with the returned ones)."""
    ctx = access.principal.ctx
    year = ctx.current_school_year
    if year is None or not access.can("gradebooks", Action.SUBMIT):
        return []
    docs = {
        (d["class_name"], d["kind"], d.get("subject"), d["term"]): d
        for d in await _books(access, Action.SUBMIT, {"school_year": year})
    }
    wanted: list[tuple[str, str, str | None]] = [("subject", c, s) for c, s in ctx.teaching]
    wanted += [("homeroom", c, None) for c in ctx.homeroom_classes]
    items: list[Item] = []
    for kind, class_name, subject in sorted(wanted, key=lambda w: (w[1], w[0], w[2] or "")):
        for term in ("hk1", "hk2"):
            doc = docs.get((class_name, kind, subject, term)) or {
                "kind": kind,
                "school_year": year,
                "class_name": class_name,
                "subject": subject,
                "term": term,
            }
            if doc.get("stage", Stage.ENTERING.value) != Stage.ENTERING.value:
                continue
            if not doc.get("returned"):
                items.append(_book_item("to_submit", doc, "Đang nhập"))
            break
    return items[:MAX_ITEMS]


@register("to_check", "Sổ chờ kiểm tra")
async def books_to_check(access: Access) -> list[Item]:
    return await _waiting(access, Action.CHECK, Stage.SUBMITTED, "to_check")


@register("to_approve", "Sổ chờ duyệt")
async def books_to_approve(access: Access) -> list[Item]:
    return await _waiting(access, Action.APPROVE, Stage.CHECKED, "to_approve")


async def _waiting(access: Access, action: Action, stage: Stage, code: str) -> list[Item]:
    """The books at ``stage`` waiting for the reader's ``action``: not those they submitted
    themselves (those wait for someone else)."""
    items: list[Item] = []
    for doc in await _books(access, action, {"stage": stage.value}):
        book = Gradebook.model_validate(doc)
        if not own_submission(access, action, book):
            items.append(_book_item(code, doc, _submitted_by(book)))
    return items


def _submitted_by(book: Gradebook) -> str:
    submitted = book.last_submission
    gaps = f" · {len(book.gaps)} học sinh còn thiếu điểm" if book.gaps else ""
    return (f"Nộp bởi {submitted.actor_name}" if submitted else "") + gaps


async def _requests(
    access: Access, action: Action, query: dict[str, Any]
) -> list[CorrectionRequest]:
    if not access.can("corrections", action):
        return []
    found = await access.handle("corrections", action).find(
        query, sort=[("_id", 1)], limit=MAX_ITEMS
    )
    return [CorrectionRequest.model_validate(f.stored) for f in found]


def _request_item(code: str, request: CorrectionRequest) -> Item:
    title = f"{REQUEST_KIND_LABELS[request.kind]}: {request.student_name} lớp {request.class_name}"
    return Item(code, title, REQUEST_STATUS_LABELS[request.status], request_id=str(request.id))


@register("requests_to_check", "Phiếu điều chỉnh chờ kiểm tra")
async def requests_to_check(access: Access) -> list[Item]:
    found = await _requests(access, Action.CHECK, {"status": RequestStatus.SUBMITTED.value})
    return [_request_item("requests_to_check", r) for r in found]


@register("requests_to_approve", "Phiếu điều chỉnh chờ duyệt")
async def requests_to_approve(access: Access) -> list[Item]:
    found = await _requests(access, Action.APPROVE, {"status": RequestStatus.CHECKED.value})
    return [_request_item("requests_to_approve", r) for r in found]


@register("my_requests", "Phiếu của tôi đã có kết luận")
async def my_decided_requests(access: Access) -> list[Item]:
    user = access.user
    if user is None:
        return []
    found = await _requests(
        access,
        Action.SUBMIT,
        {"requested_by": user.username, "status": {"$in": [RequestStatus.REFUSED.value]}},
    )
    return [_request_item("my_requests", r) for r in found]


async def book_stages(access: Access) -> dict[tuple[str, str, str | None, str], str]:
    """(class, kind, subject, term) -> the stage's label, for the books the reader may see in
    the chain (a book missing here is being entered)."""
    if not access.can("gradebooks", Action.VIEW):
        return {}
    year = access.principal.ctx.current_school_year
    found = await access.handle("gradebooks").find({"school_year": year} if year else None)
    return {
        (f.stored["class_name"], f.stored["kind"], f.stored.get("subject"), f.stored["term"]): (
            STAGE_LABELS[Stage(f.stored["stage"])]
        )
        for f in found
    }
