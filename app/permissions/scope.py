"""What one user may do with one resource: the effective filter and field rules (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from beanie import Document
from beanie.odm.utils.dump import get_dict
from pydantic import BaseModel

from models.role import Action, Permission, Role
from models.rules.variables import UserContext

from .fields import FieldRules
from .matcher import matches, query_paths, values_key
from .substitute import MissingVariable, substitute

MATCH_NOTHING: dict[str, Any] = {"_id": {"$in": []}}
GRANTS_REMEMBERED = 1024


@dataclass(frozen=True)
class Grant:
    """One permission of one role that grants the action, with its filter substituted."""

    role: str
    role_name: str
    index: int  # position of the permission in the role
    permission: Permission
    filter: dict[str, Any]
    readable: FieldRules
    writable: FieldRules

    def applies_to(self, record: dict[str, Any]) -> bool:
        return matches(self.filter, record)


@dataclass(frozen=True)
class Skipped:
    """A permission that would grant the action but cannot for this user, and why."""

    role: str
    index: int
    reason: str


@dataclass
class Scope:
    resource: str
    action: Action
    ctx: UserContext
    matched: list[Grant] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return bool(self.matched)

    @cached_property
    def filter(self) -> dict[str, Any]:
        """The effective MongoDB filter: the OR of the grants' filters."""
        if not self.matched:
            return dict(MATCH_NOTHING)
        filters: list[dict[str, Any]] = []
        for grant in self.matched:
            if not grant.filter:
                return {}
            if grant.filter not in filters:
                filters.append(grant.filter)
        return filters[0] if len(filters) == 1 else {"$or": filters}

    @cached_property
    def readable(self) -> FieldRules:
        """Fields readable in at least one granted row (e.g. list columns)."""
        return FieldRules([p for g in self.matched for p in g.readable.patterns], self.ctx)

    @cached_property
    def writable(self) -> FieldRules:
        return FieldRules([p for g in self.matched for p in g.writable.patterns], self.ctx)

    @cached_property
    def _filter_paths(self) -> tuple[list[str], ...]:
        """The fields the grants' filters read, split."""
        paths = {p for grant in self.matched for p in query_paths(grant.filter)}
        return tuple(p.split(".") for p in sorted(paths))

    def grants_for(self, record: dict[str, Any] | BaseModel) -> list[Grant]:
        raw = as_raw(record)
        # Records alike in every field the filters read (the pupils of a class) match the same
        # grants: matched once, remembered by those values.
        key = values_key(raw, self._filter_paths)
        if key is None:
            return [g for g in self.matched if g.applies_to(raw)]
        remembered: dict[tuple[Any, ...], tuple[Grant, ...]] = self.__dict__.setdefault(
            "_grants_by_values", {}
        )
        grants = remembered.get(key)
        if grants is None:
            if len(remembered) >= GRANTS_REMEMBERED:
                remembered.clear()
            grants = remembered[key] = tuple(g for g in self.matched if g.applies_to(raw))
        return list(grants)

    def matches(self, record: dict[str, Any] | BaseModel) -> bool:
        return bool(self.grants_for(record))

    def reads_around(self, leaves: Iterable[str]) -> bool:
        """Whether a write at ``leaves`` may change which grants match a record: some filter
        reads at, above or below one of them (list positions aside, so a filter reading
        across a list counts for a change at any of its positions)."""
        key = tuple(leaves)
        known: dict[tuple[str, ...], bool] = self.__dict__.setdefault("_reads_around", {})
        found = known.get(key)
        if found is None:
            if len(known) >= GRANTS_REMEMBERED:
                known.clear()
            read = [_named(parts) for parts in self._filter_paths]
            found = known[key] = any(
                _nested(_named(leaf.split(".")), path) for leaf in key for path in read
            )
        return found

    def fields_for(
        self, record: dict[str, Any] | BaseModel, kind: Literal["read", "write"] = "read"
    ) -> FieldRules:
        """Field rules for this record: only grants whose filter matches it count."""
        raw = as_raw(record)
        grants = self.grants_for(raw)
        # A list page asks this for every row; rows share few grant combinations, so the
        # compiled rules are reused and only bound to each row.
        key = (kind, tuple(id(g) for g in grants))
        cache: dict[tuple[str, tuple[int, ...]], FieldRules] = self.__dict__.setdefault(
            "_rules_cache", {}
        )
        rules = cache.get(key)
        if rules is None:
            patterns = [
                p for g in grants for p in (g.readable if kind == "read" else g.writable).patterns
            ]
            rules = cache[key] = FieldRules(patterns, self.ctx)
        return rules.bound_to(raw)


def _named(parts: list[str]) -> tuple[str, ...]:
    return tuple(p for p in parts if not p.isdigit())


def _nested(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether one path lies within the other (or they are the same)."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def as_raw(record: dict[str, Any] | BaseModel) -> dict[str, Any]:
    """A record as stored (BSON types), so the matcher sees what the database sees."""
    if isinstance(record, Document):
        stored: dict[str, Any] = get_dict(record, to_db=True)
        return stored
    if isinstance(record, BaseModel):
        return record.model_dump(by_alias=True)
    return record


def denied(ctx: UserContext, resource: str, action: Action) -> Scope:
    return Scope(resource=resource, action=Action(action), ctx=ctx)


def compute_scope(
    ctx: UserContext, roles: Iterable[Role], resource: str, action: Action | str
) -> Scope:
    """The scope from a context and the user's roles (deny by default; no I/O).

    Only active roles the user holds count; an inactive user gets nothing.
    """
    action = Action(action)
    scope = denied(ctx, resource, action)
    if not ctx.active:
        return scope
    held = set(ctx.roles)
    for role in roles:
        if not role.active or role.code not in held:
            continue
        for index, permission in enumerate(role.permissions):
            if permission.resource != resource or action not in permission.actions:
                continue
            try:
                row_filter = substitute(permission.row_filter, ctx)
            except MissingVariable as exc:
                scope.skipped.append(Skipped(role.code, index, exc.variable))
                continue
            scope.matched.append(
                Grant(
                    role=role.code,
                    role_name=role.name,
                    index=index,
                    permission=permission,
                    filter=row_filter,
                    readable=FieldRules(permission.read_fields, ctx),
                    writable=FieldRules(permission.write_fields, ctx),
                )
            )
    return scope
