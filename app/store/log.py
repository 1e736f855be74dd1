"""The change log as one reader may read it.

An entry is shown only when its record is in the reader's view scope *now* (a pupil who moved
to another class takes its history along; a deleted record's entries stay visible only to
readers whose scope is unrestricted), and its changes are pruned to the fields the reader may
read in that record. The log's own row filter applies on top.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.permissions.fields import FieldRules
from app.permissions.scope import MATCH_NOTHING, Scope
from models.resources import AUDITED_RESOURCES
from models.role import Action

from .collections import collection
from .handles import EVERYTHING, Page, RecordId, Restricted, both, object_id

ScopeOf = Callable[[str, Action], Scope]


class LogEntries:
    """``scope`` is the reader's grant on the log itself; None for a record's own history,
    which whoever may view the record may read (entries of that record only)."""

    def __init__(
        self,
        scope: Scope | None,
        scope_of: ScopeOf,
        record: tuple[str, RecordId | Sequence[RecordId]] | None = None,
    ) -> None:
        self.scope = scope
        self.scope_of = scope_of
        # The reader's rules per record, looked up once however many entries it has.
        self._rules: dict[tuple[Any, Any], FieldRules | None] = {}
        # Records' own history: the caller found them in the reader's view scope.
        self._records: dict[str, Any] | None = None
        if record is not None:
            resource, which = record
            if isinstance(which, list | tuple):
                keys: Any = {"$in": [str(r) for r in which]}
            else:
                keys = str(which)
            self._records = {"collection": resource, "record_key": keys}

    @property
    def allowed(self) -> bool:
        return self.scope is None or self.scope.allowed

    async def _record_clause(self) -> dict[str, Any]:
        """Entries whose record the reader may view now."""
        if self._records is not None:
            return self._records
        parts: list[dict[str, Any]] = []
        for resource in AUDITED_RESOURCES:
            view = self.scope_of(resource, Action.VIEW)
            if not view.allowed:
                continue
            if not view.filter:
                parts.append({"collection": resource})
                continue
            ids = await Restricted(resource, view, view).ids()
            if ids:
                keys = [str(i) for i in ids]
                parts.append({"collection": resource, "record_key": {"$in": keys}})
        if not parts:
            self._records = dict(MATCH_NOTHING)
        else:
            self._records = parts[0] if len(parts) == 1 else {"$or": parts}
        return self._records

    async def query(self, query: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if not self.allowed:
            return dict(MATCH_NOTHING)
        own = self.scope.filter if self.scope is not None else {}
        return both(own, await self._record_clause(), query or {})

    async def count(self, query: Mapping[str, Any] | None = None) -> int:
        counted: int = await collection("change_log").count_documents(await self.query(query))
        return counted

    async def find(
        self,
        query: Mapping[str, Any] | None = None,
        *,
        sort: Sequence[tuple[str, int]] | None = None,
        skip: int = 0,
        limit: int = 0,
    ) -> list[dict[str, Any]]:
        return await self.rows(query, Page(sort, skip, limit))

    async def rows(
        self, query: Mapping[str, Any] | None, page: Page = EVERYTHING, omit: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        if not self.allowed:
            return []
        cursor = page.apply(collection("change_log").find(await self.query(query)))
        return [doc async for doc in cursor]

    async def row(self, entry_id: RecordId) -> dict[str, Any] | None:
        oid = object_id(entry_id)
        found = await self.rows({"_id": oid}, Page(limit=1)) if oid is not None else []
        return found[0] if found else None

    async def rules_for(self, entry: dict[str, Any]) -> FieldRules | None:
        """The reader's read rules for the entry's record (as stored now); for a record that
        is gone, the rules of an unrestricted reader's grants; None: nothing readable."""
        key = (entry.get("collection"), entry.get("record_key"))
        if key not in self._rules:
            self._rules[key] = await self._rules_of(*key)
        return self._rules[key]

    async def _rules_of(self, resource: Any, record_key: Any) -> FieldRules | None:
        if resource not in AUDITED_RESOURCES:
            return None
        view = self.scope_of(resource, Action.VIEW)
        if not view.allowed:
            return None
        record = await collection(resource).find_one(
            both({"_id": object_id(record_key)}, view.filter)
        )
        if record is None:
            return view.readable if not view.filter else None
        return view.fields_for(record, "read")

    async def visible(self, entry: dict[str, Any]) -> dict[str, Any]:
        """The entry with only the changes (and snapshot fields) the reader may read."""
        rules = await self.rules_for(entry)
        shown = dict(entry)
        diff = entry.get("diff") or []
        shown["diff"] = [d for d in diff if rules is not None and rules.allows(d["path"])]
        shown["hidden"] = len(diff) - len(shown["diff"])
        if entry.get("snapshot") is not None:
            shown["snapshot"] = rules.filter_document(entry["snapshot"]) if rules else {}
        return shown
