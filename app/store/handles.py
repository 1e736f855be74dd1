"""Restricted read handles: every query carries the row filter, every answer is pruned.

A caller names what it looks for; the handle adds the user's row filter for the action, limits
each field condition to the rows where the user may read that field (so a search cannot find a
pupil by a value the searcher may not see), and returns documents with only the readable fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bson import ObjectId
from bson.errors import InvalidId
from pymongo.asynchronous.cursor import AsyncCursor

from app.errors import NotFound
from app.permissions.fields import FieldRules
from app.permissions.scope import MATCH_NOTHING, Scope

from .collections import collection
from .fields import SENSITIVE, cipher

NOT_FOUND = "Không tìm thấy bản ghi"
# How callers name a record: its ObjectId, or that id as text (from a URL).
RecordId = ObjectId | str
ALWAYS_SEARCHABLE = frozenset({"_id"})


def object_id(value: object) -> ObjectId | None:
    if isinstance(value, ObjectId):
        return value
    try:
        return ObjectId(str(value))
    except (InvalidId, TypeError):
        return None


def both(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """The AND of some queries, leaving out empty ones."""
    kept = [dict(p) for p in parts if p]
    if not kept:
        return {}
    return kept[0] if len(kept) == 1 else {"$and": kept}


@dataclass(frozen=True)
class Page:
    """Which of the matching documents, in which order."""

    sort: Sequence[tuple[str, int]] | None = None
    skip: int = 0
    limit: int = 0  # 0: no limit

    def apply(self, cursor: AsyncCursor[Any]) -> AsyncCursor[Any]:
        if self.sort:
            cursor = cursor.sort(list(self.sort))
        if self.skip:
            cursor = cursor.skip(self.skip)
        return cursor.limit(self.limit) if self.limit else cursor


EVERYTHING = Page()


class RowSource(Protocol):
    """What a list of stored documents needs: count, a page of rows, one row by id."""

    async def count(self, query: Mapping[str, Any] | None = None) -> int: ...

    async def rows(
        self, query: Mapping[str, Any] | None, page: Page = EVERYTHING, omit: Sequence[str] = ()
    ) -> list[dict[str, Any]]: ...

    async def row(self, record_id: RecordId) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class Found:
    """One stored document and what the reader may read of it."""

    stored: dict[str, Any]
    rules: FieldRules

    @property
    def id(self) -> ObjectId:
        found: ObjectId = self.stored["_id"]
        return found

    @property
    def visible(self) -> dict[str, Any]:
        return self.rules.filter_document(self.stored)


class Restricted:
    """Reads of one resource for one action, within one user's scope."""

    def __init__(self, resource: str, scope: Scope, view: Scope) -> None:
        self.resource = resource
        self.scope = scope
        self.view = view

    @property
    def allowed(self) -> bool:
        return self.scope.allowed

    # -- queries -----------------------------------------------------------------------------
    def readable(self, query: Mapping[str, Any] | None) -> dict[str, Any]:
        """``query`` with each field condition limited to rows where the field is readable."""
        if not query:
            return {}
        return _limit(dict(query), self.view)

    def query(self, query: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The full query sent to the database: the row filter AND the caller's query."""
        if not self.scope.allowed:
            return dict(MATCH_NOTHING)
        return both(self.scope.filter, self.readable(query))

    def rules_for(self, stored: dict[str, Any]) -> FieldRules:
        return self.view.fields_for(stored, "read")

    async def count(self, query: Mapping[str, Any] | None = None) -> int:
        if not self.scope.allowed:
            return 0
        counted: int = await collection(self.resource).count_documents(self.query(query))
        return counted

    async def find(
        self,
        query: Mapping[str, Any] | None = None,
        *,
        sort: Sequence[tuple[str, int]] | None = None,
        skip: int = 0,
        limit: int = 0,
        omit: Sequence[str] = (),
        only: Sequence[str] = (),
    ) -> list[Found]:
        """Matching documents in the user's scope; ``omit`` leaves top-level fields unloaded,
        ``only`` loads just those paths (either way, what the row filters read is loaded too:
        rows' rules are matched on what was loaded)."""
        docs = await self.rows(query, Page(sort, skip, limit), omit, only)
        return [Found(doc, self.rules_for(doc)) for doc in docs]  # rows() revealed them

    async def rows(
        self,
        query: Mapping[str, Any] | None,
        page: Page = EVERYTHING,
        omit: Sequence[str] = (),
        only: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """The stored documents (for a caller that prunes them itself, row by row)."""
        if not self.scope.allowed:
            return []
        needed = filter_roots(self.scope.filter) | filter_roots(self.view.filter)
        projection: dict[str, int] | None
        if only:
            wanted = {*only, *needed}
            # A path inside another one wanted whole would make the projection collide.
            kept = [p for p in wanted if not any(p.startswith(o + ".") for o in wanted)]
            projection = dict.fromkeys(sorted(kept), 1)
        else:
            projection = {name: 0 for name in omit if name not in needed} or None
        cursor = page.apply(collection(self.resource).find(self.query(query), projection))
        return [await self.reveal(doc) async for doc in cursor]

    async def reveal(self, stored: dict[str, Any]) -> dict[str, Any]:
        """The stored document with its encrypted fields in plaintext where the reader may
        read them, and left out where not (nobody else ever receives the plaintext)."""
        if self.resource not in SENSITIVE:
            return stored
        return await cipher().open(stored, self.resource, self.rules_for(stored))

    async def found(self, stored: dict[str, Any]) -> Found:
        """A document the caller holds (e.g. just written), as this reader may see it."""
        revealed = await self.reveal(stored)
        return Found(revealed, self.rules_for(revealed))

    async def row(self, record_id: RecordId) -> dict[str, Any] | None:
        found = await self.get(record_id)
        return found.stored if found is not None else None

    async def get(self, record_id: RecordId) -> Found | None:
        oid = object_id(record_id)
        if oid is None or not self.scope.allowed:
            return None
        doc = await collection(self.resource).find_one(both({"_id": oid}, self.scope.filter))
        return await self.found(doc) if doc is not None else None

    async def get_or_404(self, record_id: RecordId, message: str = NOT_FOUND) -> Found:
        found = await self.get(record_id)
        if found is None:
            # 404, not 403: records outside the user's scope are not revealed.
            raise NotFound(message)
        return found

    async def ids(self) -> list[ObjectId]:
        """The ids of every record in scope (for scoping what refers to them)."""
        if not self.scope.allowed:
            return []
        cursor = collection(self.resource).find(self.query(), {"_id": 1})
        return [doc["_id"] async for doc in cursor]


def _limit(query: dict[str, Any], view: Scope) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for key, value in query.items():
        if key in ("$and", "$or", "$nor"):
            parts.append({key: [_limit(q, view) for q in value]})
        elif key.startswith("$") or key in ALWAYS_SEARCHABLE:
            parts.append({key: value})
        else:
            parts.append(_readable_condition(key, value, view))
    return both(*parts) if len(parts) != 1 else parts[0]


def _readable_condition(path: str, condition: Any, view: Scope) -> dict[str, Any]:
    """``{path: condition}`` only in rows whose grants let the reader read ``path``."""
    grants = [g for g in view.matched if g.readable.allows(path)]
    if len(grants) == len(view.matched) and grants:
        return {path: condition}  # readable wherever the reader sees rows: no limit needed
    if not grants:
        return dict(MATCH_NOTHING)
    clauses = [both(g.filter, {path: condition}) for g in grants]
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def filter_roots(query: object) -> set[str]:
    """The top-level fields a MongoDB filter reads ("current" for ``current.class_name``)."""
    roots: set[str] = set()
    if isinstance(query, list):
        for item in query:
            roots |= filter_roots(item)
    elif isinstance(query, dict):
        for key, value in query.items():
            if key.startswith("$"):
                roots |= filter_roots(value)
            else:
                roots.add(key.split(".", 1)[0])
    return roots
