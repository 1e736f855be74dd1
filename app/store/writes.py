"""Stamped writes: the only way the app changes an audited collection.

Every write bumps ``version``, stamps ``meta`` (actor, request id, reason, source) and renews the
revision. A writer bound to a user's scope owns the whole scope rule: the row filter is part of
the atomic filter (the record must be in scope when written), every leaf the caller adds,
changes or removes must be writable, locked terms are guarded leaf by leaf, and the record as it
will be after the write must still be in scope. One behaviour and one message everywhere.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeVar

from beanie import Document, PydanticObjectId
from beanie.odm.utils.dump import get_dict
from bson import ObjectId
from pydantic import BaseModel, ValidationError
from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from app.context import Actor
from app.errors import Conflict, Forbidden, HocBaError, InvalidInput, NotFound, TermLocked
from app.permissions.fields import FieldRules
from app.permissions.scope import Scope
from app.records.diff import diff_at, diff_paths, get_path
from app.records.paths import is_lock_path, validate_value
from app.records.stamp import resolve_actor, stamp_meta
from app.validation_vi import messages_by_field
from models.common import WriteMeta, WriteSource
from models.labels import describe_path
from models.resources import BOOKKEEPING, model_of
from models.types import from_decimal128

from .collections import collection
from .fields import SENSITIVE, cipher, sensitive_path
from .handles import RecordId, both, filter_roots, object_id
from .policies import lock_guards, lock_refusal, locked_scope, policy_for
from .stored import stored_form, stored_value

D = TypeVar("D", bound=Document)
UNSET: Any = object()  # pass as a value to remove the path
MAX_ATTEMPTS = 8
# The fewest records sent in one command while later ones are checked: a class of 40 goes in
# groups of 20, 10, 6 and 4, so that little is left to write once the last record is checked.
WRITE_GROUP = 6
SYSTEM_PATHS = frozenset({"_id", "revision_id", "version", "meta"})
OUT_OF_SCOPE = "Thay đổi này sẽ đưa bản ghi ra ngoài phạm vi bạn được quản lý nên không được lưu"
CHANGED = {
    "students": "Hồ sơ vừa được người khác sửa; hãy tải lại trang rồi nhập lại",
    "": "Bản ghi này vừa được người khác thay đổi. Hãy tải lại trang để xem dữ liệu mới rồi "
    "sửa lại.",
}
LOCKS_ARE_WORKFLOWS = "Khóa sổ chỉ được thay đổi qua quy trình phê duyệt"
STALE = "Giá trị này vừa được người khác thay đổi sau khi bạn mở trang"
TAKEN = "Giá trị này đã được dùng cho một bản ghi khác"
BUSY = "Bản ghi đang được nhiều người sửa cùng lúc; vui lòng thử lại"
NOT_FOUND = {"students": "Không tìm thấy hồ sơ học sinh", "users": "Không tìm thấy tài khoản"}
DUPLICATES = {
    ("students", "code"): "Mã học sinh này đã có trong hệ thống",
    ("students", "moet_id"): "Mã định danh học sinh này đã có trong hệ thống",
}


@dataclass(frozen=True)
class WriteContext:
    resource: str
    actor: Actor
    request_id: str
    source: WriteSource
    reason: str | None = None
    scope: Scope | None = None  # None: a system write (seed, command line), not a user's
    correction: str | None = None  # the correction request a write applies (its id)


def system_writer(
    resource: str,
    actor: Actor | None,
    *,
    source: WriteSource,
    reason: str | None = None,
    correction: str | None = None,
) -> Writer:
    """Writes made outside a user's scope (seeding, bootstrap, the command line); ``actor``
    None means the one of the current request, and none at all is refused."""
    acting, request_id = resolve_actor(actor, None)
    context = WriteContext(
        resource=resource,
        actor=acting,
        request_id=request_id,
        source=source,
        reason=reason,
        correction=correction,
    )
    return Writer(context)


class Writer:
    """Insert, update by path, replace and delete for one resource, stamped and guarded."""

    def __init__(self, context: WriteContext) -> None:
        self.context = context
        self.resource = context.resource
        model = model_of(context.resource)
        if model is None:
            raise KeyError(context.resource)
        self.model: Any = model
        self.policy = policy_for(context.resource)
        self.revisioned = bool(model.get_settings().use_revision)  # type: ignore[attr-defined]
        self._projections: dict[frozenset[str], dict[str, int]] = {}

    # -- stamping ----------------------------------------------------------------------------
    def _meta(self, *, intent: str | None = None, reason: str | None = None) -> WriteMeta:
        c = self.context
        meta = stamp_meta(c.actor, reason or c.reason, c.source, c.request_id, intent=intent)
        meta.correction = c.correction
        return meta

    def _stamp(self) -> tuple[WriteMeta, dict[str, Any]]:
        meta = self._meta()
        return meta, meta.model_dump(mode="python")

    def _row_filter(self) -> dict[str, Any]:
        scope = self.context.scope
        if scope is None:
            return {}
        if not scope.allowed:
            raise NotFound(self._not_found())
        return scope.filter

    def _not_found(self) -> str:
        return NOT_FOUND.get(self.resource, "Không tìm thấy bản ghi")

    def _writable(self, stored: dict[str, Any]) -> FieldRules | None:
        scope = self.context.scope
        return scope.fields_for(stored, "write") if scope is not None else None

    def _in_scope_after(self, new_raw: dict[str, Any], leaves: Iterable[str] | None = None) -> None:
        """Refuse a record that would leave the writer's scope (``leaves``: the paths written
        to a record that was in scope; it is checked again only where the filters read)."""
        scope = self.context.scope
        if scope is None or (leaves is not None and not scope.reads_around(leaves)):
            return
        if not scope.matches(new_raw):
            raise Forbidden(OUT_OF_SCOPE)

    def _check_fields(
        self,
        stored: dict[str, Any],
        leaves: Iterable[str],
        *,
        reachable: bool = False,
        writable: FieldRules | None = None,
    ) -> None:
        """Refuse when a leaf is not writable (``reachable``: when nothing under a path is);
        ``writable``: the rules for ``stored`` when the caller already has them."""
        if writable is None:  # not given (or a system write: asked again, still None)
            writable = self._writable(stored)
        if writable is None:
            return
        test = writable.touches if reachable else writable.allows
        denied = sorted(
            {leaf for leaf in leaves if leaf.split(".", 1)[0] not in BOOKKEEPING and not test(leaf)}
        )
        if denied:
            names = ", ".join(f"«{describe_path(self.resource, p)}»" for p in denied[:8])
            more = f" và {len(denied) - 8} trường khác" if len(denied) > 8 else ""
            raise Forbidden(f"Bạn không có quyền sửa: {names}{more}", field=denied[0])

    def _parse(self, data: dict[str, Any]) -> Document:
        parsed = self._validated(self.model, data, "")
        assert isinstance(parsed, Document)
        return parsed

    def _validated(self, model: type[BaseModel], data: Any, at: str) -> BaseModel:
        """``data`` parsed as ``model``, found at ``at`` in the record ("": the record);
        refused with the Vietnamese message of its first error, at its full path."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            inner, message = next(iter(messages_by_field(exc).items()))
            path = ".".join(p for p in (at, inner) if p)
            raise InvalidInput(
                f"«{describe_path(self.resource, path)}»: {message}", field=path
            ) from exc

    # -- update --------------------------------------------------------------------------------
    async def update(
        self,
        record_id: RecordId,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        allow_lock_paths: bool = False,
        follow: Mapping[str, Any] | None = None,
        seen: Mapping[str, Any] | None = None,
        lift_locks: Iterable[str] = (),
    ) -> Document:
        """Apply ``changes`` (dotted path -> value, or UNSET) to one record atomically; the
        record as stored afterwards, as a model. ``follow`` are changes the app itself makes
        because of them (a class move updates the year's class and homeroom teacher): guarded
        like the rest, but not the writer's own fields to hold rights on. ``seen``: the values
        the writer saw (a path changed since is a StaleValue). ``lift_locks``: paths written
        even though their term is locked (an approved correction): the lock guard is lifted
        for them and what the grading rules derive from them, for nothing else."""
        stored, model = await self._update(
            record_id,
            changes,
            expected_version,
            allow_lock_paths,
            seen=seen,
            follow=follow,
            lift_locks=frozenset(lift_locks),
        )
        # A write inside one part answers the record as stored: its sealed fields opened.
        return model if model is not None else self._parse(await self._opened(stored))

    async def update_stored(
        self,
        record_id: RecordId,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        allow_lock_paths: bool = False,
        seen: Mapping[str, Any] | None = None,
        lift_locks: Iterable[str] = (),
    ) -> dict[str, Any]:
        """As :meth:`update`, answering the stored document (no model built for it)."""
        stored, _ = await self._update(
            record_id,
            changes,
            expected_version,
            allow_lock_paths,
            seen=seen,
            lift_locks=frozenset(lift_locks),
        )
        return stored

    async def _update(
        self,
        record_id: RecordId,
        changes: Mapping[str, Any],
        expected_version: int | None,
        allow_lock_paths: bool,
        seen: Mapping[str, Any] | None = None,
        follow: Mapping[str, Any] | None = None,
        lift_locks: frozenset[str] = frozenset(),
    ) -> tuple[dict[str, Any], Document | None]:
        oid = object_id(record_id)
        if oid is None:
            raise NotFound(self._not_found())
        request = self._request(changes, allow_lock_paths, follow, lift_locks)
        coll = collection(self.resource)
        for _ in range(MAX_ATTEMPTS):
            query = both({"_id": oid}, self._row_filter())
            raw = await coll.find_one(query, request.projection)
            if raw is None:
                raise NotFound(self._not_found())
            if expected_version is not None and raw.get("version") != expected_version:
                raise Conflict(CHANGED.get(self.resource, CHANGED[""]))
            if request.projection is not None and not request.parts_exist(raw):
                # A part that does not exist yet: the whole record is checked.
                raw = await coll.find_one(query)
                if raw is None:
                    raise NotFound(self._not_found())
            raw = await self._opened(raw)
            plan = await self._sealed(self._plan(raw, request, seen))
            if plan is None:  # nothing to write: what is stored, whole
                whole = await coll.find_one(query) if request.projection is not None else None
                return whole or raw, None
            try:
                result = await coll.find_one_and_update(
                    plan.guard, plan.update, return_document=ReturnDocument.AFTER
                )
            except DuplicateKeyError as exc:
                raise self._duplicate(exc) from exc
            if result is not None:
                return result, plan.model
            # Someone wrote in between (or locked the term): read again and re-check.
        raise Conflict(BUSY)

    def _request(
        self,
        changes: Mapping[str, Any],
        allow_lock_paths: bool,
        follow: Mapping[str, Any] | None = None,
        lift_locks: frozenset[str] = frozenset(),
    ) -> _Request:
        validated = {
            p: v if v is UNSET else validate_value(p, v, self.model)
            for p, v in {**(follow or {}), **changes}.items()
        }
        if not allow_lock_paths and any(is_lock_path(p) for p in validated):
            raise Forbidden(LOCKS_ARE_WORKFLOWS)
        found = {self.policy.part_of(p) for p in validated}
        parts = {p for p in found if p is not None}
        partial = None not in found and bool(parts)
        return _Request(
            validated,
            parts if partial else set(),
            allow_lock_paths,
            self._projection(parts) if partial else None,
            frozenset(changes),
            lift_locks,
        )

    def _plan(
        self,
        raw: dict[str, Any],
        request: _Request,
        seen: Mapping[str, Any] | None = None,
        *,
        kept: bool = False,
        stamp: tuple[WriteMeta, dict[str, Any]] | None = None,
    ) -> _Plan | None:
        """Check one change against the stored record and build its guarded update; None
        when it changes nothing (``kept``: the caller keeps the record as written for its next
        change; ``stamp``: the batch's stamp and its dump, one for all its records). Raises
        the refusal (Forbidden, TermLocked, InvalidInput, or StaleValue when a value is no
        longer the one the writer saw)."""
        validated = request.validated
        if seen:
            stale = {p: get_path(raw, p) for p, v in seen.items() if not _same_value(raw, p, v)}
            if stale:
                raise StaleValue(stale, raw.get("meta") or {})
        # A path nothing below which is writable is refused before anything is built.
        writable = self._writable(raw)  # the same for both checks below
        self._check_fields(raw, request.asked, reachable=True, writable=writable)
        if request.parts and request.parts_exist(raw):
            new_raw, sets, unsets, updated = self._apply_parts(
                raw, validated, request.parts, kept=kept
            )
        else:
            new_raw, sets, unsets, updated = self._apply_whole(raw, validated)
        if not sets and not unsets:
            return None
        leaves = _leaves(sets, unsets, raw)
        asked = [leaf for leaf in leaves if any(_within(leaf, p) for p in request.asked)]
        if not request.allow_lock_paths and _closes_or_opens_locks(leaves, raw, new_raw):
            raise Forbidden(LOCKS_ARE_WORKFLOWS)
        self._check_fields(raw, asked, writable=writable)
        if (frozen := self.policy.frozen(raw, leaves)) is not None:
            raise Conflict(frozen)
        if (refusal := self.policy.refusal(new_raw, leaves)) is not None:
            raise InvalidInput(refusal, field="status")
        scopes = set() if request.allow_lock_paths else self.policy.locks(request.guarded(leaves))
        if (locked := locked_scope(raw, scopes)) is not None:
            raise TermLocked(lock_refusal(locked, raw))
        self._in_scope_after(new_raw, leaves)
        meta, dumped = stamp or self._stamp()
        revision = uuid.uuid4()
        # A batch's records share their stamp's dump (nothing changes it).
        setter: dict[str, Any] = {**sets, "meta": dumped}
        if self.revisioned:
            setter["revision_id"] = revision
        update: dict[str, Any] = {"$set": setter, "$inc": {"version": 1}}
        if unsets:
            update["$unset"] = dict.fromkeys(unsets, "")
        version = raw.get("version")
        guard = both(
            {"_id": raw["_id"], "version": version}, self._row_filter(), lock_guards(scopes)
        )
        if updated is not None:
            updated.version = (version or 0) + 1
            updated.meta = meta
            if self.revisioned:
                updated.revision_id = revision
        after = {**new_raw, "version": (version or 0) + 1, "meta": setter["meta"]}
        return _Plan(guard, update, updated, after)

    # -- batches ---------------------------------------------------------------------------------
    async def update_many(
        self, items: Sequence[BatchItem], *, dry_run: bool = False
    ) -> list[Outcome]:
        """The same change applied to many records (a score book's save, an upload), one
        outcome per record, each record written atomically with every guard of ``update``.

        Records are read in one command and written in one; a record someone changed in
        between is read and checked again on its own. ``dry_run`` checks everything and
        writes nothing (an upload's preview)."""
        outcomes: dict[int, Outcome] = {}
        planned: list[tuple[int, BatchItem, _Request, _Plan]] = []
        as_held: set[int] = set()  # planned on the record the caller held, as it was given
        requests: dict[int, _Request] = {}
        ids: list[ObjectId] = []
        for index, item in enumerate(items):
            oid = object_id(item.record_id)
            try:
                if oid is None:
                    raise NotFound(self._not_found())
                requests[index] = self._request(item.changes, False, item.follow)
                ids.append(oid)
            except HocBaError as exc:
                outcomes[index] = Outcome.refused(item.record_id, exc)
        held = {
            i: dict(given)
            for i, r in requests.items()
            if (given := items[i].stored) is not None and r.projection is not None
        }
        to_read = [oid for i, oid in zip(requests, ids, strict=True) if i not in held]
        projection = _union_projection(r.projection for i, r in requests.items() if i not in held)
        coll = collection(self.resource)
        query = both({"_id": {"$in": to_read}}, self._row_filter()) if to_read else None
        stored = {doc["_id"]: doc async for doc in coll.find(query, projection)} if query else {}
        # The planned records are written in groups, each as soon as it is planned: the
        # database works on one group while the next is being checked.
        writes: list[asyncio.Task[None]] = []
        stamp: tuple[WriteMeta, dict[str, Any]] | None = None  # one for the whole batch
        try:
            for left, (index, request) in zip(
                range(len(requests), 0, -1), requests.items(), strict=True
            ):
                # Each group as large as what is left to check, so the last ones are small:
                # little is left to write once the last record is checked.
                if len(planned) >= max(WRITE_GROUP, left):
                    writes.append(self._start_writing(planned, outcomes, as_held))
                    planned = []
                    await asyncio.sleep(0)  # the group is sent before the next is checked
                item = items[index]
                raw = held.get(index) or stored.get(object_id(item.record_id))
                try:
                    if raw is None or (index in held and not self._held_in_scope(raw, item)):
                        raise NotFound(self._not_found())
                    if request.projection is not None and not request.parts_exist(raw):
                        raw = await coll.find_one(both({"_id": raw["_id"]}, self._row_filter()))
                        if raw is None:
                            raise NotFound(self._not_found())
                    elif index in held:
                        as_held.add(index)
                    raw = await self._opened(raw)
                    stamp = stamp or self._stamp()
                    kept = index in as_held and not dry_run  # a dry run remembers nothing
                    plan = self._plan(raw, request, item.seen, kept=kept, stamp=stamp)
                    plan = await self._sealed(plan)
                except StaleValue as exc:
                    outcomes[index] = Outcome.conflict(item.record_id, exc)
                    continue
                except HocBaError as exc:
                    outcomes[index] = Outcome.refused(item.record_id, exc)
                    continue
                if plan is None:
                    outcomes[index] = Outcome(item.record_id, UNCHANGED, stored=raw)
                elif dry_run:
                    outcomes[index] = Outcome(item.record_id, WOULD_SAVE, stored=plan.after)
                else:
                    planned.append((index, item, request, plan))
            if planned:
                await self._write_planned(planned, outcomes, as_held)
        finally:
            # Every group sent is waited for, even when checking or writing a later one failed.
            ended = await asyncio.gather(*writes, return_exceptions=True)
        failed = [e for e in ended if isinstance(e, BaseException)]
        if failed:
            raise failed[0]
        return [outcomes[i] for i in range(len(items))]

    def _start_writing(
        self,
        planned: list[tuple[int, BatchItem, _Request, _Plan]],
        outcomes: dict[int, Outcome],
        as_held: set[int],
    ) -> asyncio.Task[None]:
        return asyncio.create_task(self._write_planned(planned, outcomes, as_held))

    def _applied(self, now: dict[str, Any] | None, plan: _Plan) -> bool:
        """Whether the record as it is ``now`` is the one ``plan`` wrote."""
        if now is None or now.get("version") != plan.after["version"]:
            return False
        if not self.revisioned:
            return True
        written = plan.update["$set"].get("revision_id")
        return str(now.get("revision_id")) == str(written)

    def read_fields(self, paths: Iterable[str]) -> list[str]:
        """What a caller must read of a record to hand it to ``update_many`` (as
        ``BatchItem.stored``) for changes at ``paths``; empty when the change concerns the
        whole record, which the writer then always reads itself."""
        found = {self.policy.part_of(p) for p in paths}
        parts = {p for p in found if p is not None}
        if None in found or not parts:
            return []
        return sorted(self._projection(parts))

    def _held_in_scope(self, raw: dict[str, Any], item: BatchItem) -> bool:
        """Whether a record the caller read is the one asked for, within the writer's scope."""
        scope = self.context.scope
        if raw.get("_id") != object_id(item.record_id) or "version" not in raw:
            return False
        return scope is None or scope.matches(raw)

    async def _write_planned(
        self,
        planned: list[tuple[int, BatchItem, _Request, _Plan]],
        outcomes: dict[int, Outcome],
        as_held: set[int],
    ) -> None:
        coll = collection(self.resource)
        operations = [UpdateOne(plan.guard, plan.update) for _, _, _, plan in planned]
        try:
            result = await coll.bulk_write(operations, ordered=False)
            applied = result.matched_count
        except BulkWriteError as exc:
            applied = int(exc.details.get("nMatched") or 0)

        def saved(index: int, item: BatchItem, plan: _Plan) -> Outcome:
            written = plan.update["$set"].get("revision_id") if index in as_held else None
            return Outcome(item.record_id, SAVED, stored=plan.after, written=written)

        if applied == len(planned):
            for index, item, _, plan in planned:
                outcomes[index] = saved(index, item, plan)
            return
        # Some guard did not hold (someone wrote in between): find out which, record by record.
        # The version alone does not tell: another write may have taken the very number this
        # one would have; the revision this write set does.
        now = {
            doc["_id"]: doc
            async for doc in coll.find(
                {"_id": {"$in": [plan.after["_id"] for *_, plan in planned]}},
                {"version": 1, "revision_id": 1},
            )
        }
        for index, item, _, plan in planned:
            if self._applied(now.get(plan.after["_id"]), plan):
                outcomes[index] = saved(index, item, plan)
                continue
            try:
                raw, _ = await self._update(
                    item.record_id, item.changes, None, False, item.seen, item.follow
                )
                outcomes[index] = Outcome(item.record_id, SAVED, stored=raw)
            except StaleValue as exc:
                outcomes[index] = Outcome.conflict(item.record_id, exc)
            except HocBaError as exc:
                outcomes[index] = Outcome.refused(item.record_id, exc)

    # -- encrypted fields ------------------------------------------------------------------------
    async def _opened(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The stored record with its encrypted fields readable (the writer checks and diffs
        plaintext; only changed values are encrypted again)."""
        if self.resource not in SENSITIVE:
            return raw
        return await cipher().open(raw, self.resource)

    async def _seal(self, *raws: dict[str, Any]) -> None:
        if self.resource in SENSITIVE:
            await cipher().seal(raws, self.resource)

    async def _sealed(self, plan: _Plan | None) -> _Plan | None:
        """The plan with every sensitive value it writes encrypted."""
        if plan is None or self.resource not in SENSITIVE:
            return plan
        setter = plan.update["$set"]
        touched = [p for p in setter if sensitive_path(self.resource, p)]
        if not touched:
            return plan
        after = dict(plan.after)
        await self._seal(after)
        for path in touched:
            setter[path] = get_path(after, path)
        return _Plan(plan.guard, plan.update, plan.model, after)

    def _projection(self, parts: set[str]) -> dict[str, int]:
        """What a change to some parts needs of the stored record: those parts, the version,
        the last stamp (who changed it), the placement (field rules depend on the class) and
        whatever the row filter reads."""
        key = frozenset(parts)
        projection = self._projections.get(key)
        if projection is None:  # a batch's records touch the same parts: worked out once
            wanted = {"version", "meta", "current", "status", *parts, *self._filter_roots}
            projection = self._projections[key] = dict.fromkeys(sorted(wanted), 1)
        return dict(projection)

    @cached_property
    def _filter_roots(self) -> set[str]:
        """The top-level fields the writer's row filter reads."""
        scope = self.context.scope
        return filter_roots(scope.filter) if scope is not None else set()

    def _apply_whole(
        self, raw: dict[str, Any], validated: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], list[str], Document]:
        # The stored document with the changes applied, validated once (a full record holds
        # hundreds of scores: each validation costs milliseconds).
        data = dict(raw)
        for path, value in validated.items():
            _set_path(data, path, value)
        updated = self._parse(data)
        self.policy.derive(updated)
        new_raw = get_dict(updated, to_db=True)
        sets, unsets = diff_paths(raw, new_raw, ignore=SYSTEM_PATHS)
        # Fields the model does not know (written by other tools) are kept, not silently
        # dropped: only paths the caller asked to remove are unset.
        removed = [p for p, v in validated.items() if v is UNSET]
        unsets = [u for u in unsets if any(_within(u, p) for p in removed)]
        return new_raw, sets, unsets, updated

    def _apply_parts(
        self,
        raw: dict[str, Any],
        validated: Mapping[str, Any],
        parts: set[str],
        *,
        kept: bool = False,
    ) -> tuple[dict[str, Any], dict[str, Any], list[str], None]:
        """The changes applied to the parts they touch, each validated and derived alone
        (``kept``: the policy may remember what the parts as written parse to)."""
        new_raw = dict(raw)
        sets: dict[str, Any] = {}
        unsets: list[str] = []
        removed = [p for p, v in validated.items() if v is UNSET]
        for part in sorted(parts):
            stored_part = get_path(raw, part)
            data = {"_": dict(stored_part)}
            for path, value in validated.items():
                if _within(path, part) and path != part:
                    _set_path(data, "_." + path[len(part) + 1 :], value)
            changed = [p[len(part) + 1 :] for p in validated if _within(p, part) and p != part]
            derive = not all(is_lock_path(p) for p in validated)  # a lock changes no result
            built = self.policy.build_part(
                part, stored_part, data["_"], changed, self._validated, derive=derive
            )
            model, derived = built.model, built.derived
            if derived is None:
                encoded = stored_form(model)
                part_sets, part_unsets = diff_paths(stored_part, encoded)
            else:
                # Only what was changed and what is derived from it can differ: those are
                # compared, not the whole part (a school year holds hundreds of scores).
                compared = [*changed, *derived]
                part_sets, part_unsets = diff_at(
                    stored_part,
                    self.policy.dumped_at(model, compared, stored_part),
                    compared,
                    encode=stored_value,
                )
                encoded = _patched(stored_part, part_sets, part_unsets)
            if kept:
                self.policy.parsed(part, stored_part, encoded, built, changed)
            sets.update({f"{part}.{k}": v for k, v in part_sets.items()})
            unsets += [
                u
                for u in (f"{part}.{k}" for k in part_unsets)
                if any(_within(u, p) for p in removed)
            ]
            _put(new_raw, part, encoded)
        return new_raw, sets, unsets, None

    async def replace(
        self,
        record_id: RecordId,
        new: BaseModel,
        *,
        expected_version: int | None = None,
        fields: Iterable[str] | None = None,
    ) -> Document:
        """Make the stored record equal ``new`` in ``fields`` (top-level names; all when None):
        written as the leaf changes between the two, never as a whole-document overwrite."""
        oid = object_id(record_id)
        raw = await collection(self.resource).find_one(both({"_id": oid}, self._row_filter()))
        if oid is None or raw is None:
            raise NotFound(self._not_found())
        if expected_version is not None and raw.get("version") != expected_version:
            raise Conflict(CHANGED.get(self.resource, CHANGED[""]))
        current = self._parse(await self._opened(raw)).model_dump()
        target = new.model_dump()
        shown = set(fields) if fields is not None else set(target)
        sets, unsets = diff_paths(
            {k: v for k, v in current.items() if k in shown},
            {k: v for k, v in target.items() if k in shown},
            ignore=SYSTEM_PATHS | {"id", "search_name", "schema_version"},
        )
        changes: dict[str, Any] = {**sets, **dict.fromkeys(unsets, UNSET)}
        if not changes:
            return self._parse(raw)
        return await self.update(oid, changes, expected_version=raw.get("version"))

    # -- insert --------------------------------------------------------------------------------
    def _prepared(
        self, doc: Document, *, derived: bool = False, set_by_app: Iterable[str] = ()
    ) -> dict[str, Any]:
        if not derived:
            self.policy.derive(doc)
        doc.version = 1
        doc.meta = self._meta()
        if self.revisioned:
            doc.revision_id = uuid.uuid4()
        if doc.id is None:
            doc.id = PydanticObjectId()  # known before the insert, as in insert_many
        raw: dict[str, Any] = get_dict(doc, to_db=True)
        scope = self.context.scope
        if scope is not None:
            if not scope.allowed:
                raise Forbidden("Bạn không có quyền thêm mới mục này")
            self._in_scope_after(raw)
            # What the app itself fills in (a new account's one-time password) is not the
            # user's to write, and not checked against their field rules.
            given = set(doc.model_fields_set) - SYSTEM_PATHS - set(set_by_app)
            provided = [
                leaf
                for leaf in _leaves({k: v for k, v in raw.items() if k in given}, [], {})
                if _filled(get_path(raw, leaf))
            ]
            self._check_fields(raw, provided)
        return raw

    async def insert(self, doc: D, *, set_by_app: Iterable[str] = ()) -> D:
        """Insert a new record as version 1 (derived results computed)."""
        raw = self._prepared(doc, set_by_app=set_by_app)
        await self._seal(raw)
        try:
            await collection(self.resource).insert_one(raw)
        except DuplicateKeyError as exc:
            raise self._duplicate(exc) from exc
        return doc

    async def insert_many(
        self, docs: Sequence[Document], *, derived: bool = False, skip_duplicates: bool = False
    ) -> int:
        """Insert many new records (imports, seeding) stamped like ``insert``; returns how
        many were inserted. ``skip_duplicates`` keeps going past records already there."""
        if not docs:
            return 0
        raws = [self._prepared(doc, derived=derived) for doc in docs]
        await self._seal(*raws)
        try:
            result = await collection(self.resource).insert_many(raws, ordered=not skip_duplicates)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors") or []
            if skip_duplicates and all(e.get("code") == 11000 for e in errors):
                return int(exc.details.get("nInserted") or 0)
            raise Conflict(self._duplicate_text(errors[0] if errors else {})) from exc
        return len(result.inserted_ids)

    # -- delete --------------------------------------------------------------------------------
    async def delete(self, record_id: RecordId, *, reason: str | None = None) -> None:
        """Delete a record, stamping who and why first so the change log attributes it."""
        oid = object_id(record_id)
        if oid is None:
            raise NotFound(self._not_found())
        coll = collection(self.resource)
        meta = self._meta(intent="delete", reason=reason)
        setter: dict[str, Any] = {"meta": meta.model_dump(mode="python")}
        if self.revisioned:
            setter["revision_id"] = uuid.uuid4()
        stamped = await coll.find_one_and_update(
            both({"_id": oid}, self._row_filter()), {"$set": setter, "$inc": {"version": 1}}
        )
        if stamped is None:
            raise NotFound(self._not_found())
        await coll.delete_one({"_id": oid})

    # -- errors --------------------------------------------------------------------------------
    def _duplicate(self, exc: DuplicateKeyError) -> Conflict:
        return Conflict(self._duplicate_text(exc.details or {}), field=_dup_field(exc.details))

    def _duplicate_text(self, details: Mapping[str, Any]) -> str:
        field = _dup_field(details)
        if field is None:
            return "Dữ liệu bị trùng với một bản ghi khác"
        known = DUPLICATES.get((self.resource, field))
        return known or TAKEN


def _dup_field(details: Mapping[str, Any] | None) -> str | None:
    pattern = (details or {}).get("keyPattern") or {}
    fields = [k for k in pattern if k != "_id"]
    return fields[0] if fields else None


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def _within(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".")


def _closes_or_opens_locks(leaves: Iterable[str], old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a write changes a lock. A record stored before a lock existed gets it open by
    default on its next write; that adds lock leaves but changes nothing."""
    return any(
        is_lock_path(leaf) and (get_path(old, leaf) is not None or bool(get_path(new, leaf)))
        for leaf in leaves
    )


def _leaves(sets: Mapping[str, Any], unsets: Iterable[str], old: dict[str, Any]) -> list[str]:
    """Every leaf path a write adds, changes or removes (containers expanded)."""
    found: list[str] = []
    for path, value in sets.items():
        found.extend(_expand(path, value))
    for path in unsets:
        found.extend(_expand(path, get_path(old, path)))
    return found


@dataclass(frozen=True)
class _Request:
    """One record's change, validated, and what must be read to check it."""

    validated: dict[str, Any]
    parts: set[str]  # the self-contained parts it touches; empty: the whole record
    allow_lock_paths: bool
    projection: dict[str, int] | None
    asked: frozenset[str]  # the writer's own paths (the rest follow from them)
    lifted: frozenset[str] = frozenset()  # written through their locks (an approved correction)

    def guarded(self, leaves: list[str]) -> list[str]:
        """The leaves whose locks must be open: all of them, or, when some paths are lifted,
        only the asked paths outside them (what is derived from a lifted cell follows it)."""
        if not self.lifted:
            return leaves
        return [leaf for leaf in self.asked if not any(_within(leaf, p) for p in self.lifted)]

    def parts_exist(self, raw: dict[str, Any]) -> bool:
        return all(get_path(raw, part) is not None for part in self.parts)


@dataclass(frozen=True)
class _Plan:
    guard: dict[str, Any]
    update: dict[str, Any]
    model: Document | None
    after: dict[str, Any]  # the record as it will be stored (the parts read, updated)


class StaleValue(Conflict):
    """A value is no longer the one the writer saw (someone changed it since)."""

    def __init__(self, current: dict[str, Any], meta: dict[str, Any]) -> None:
        super().__init__(STALE, field=next(iter(current), None))
        self.current = current
        self.meta = meta


@dataclass(frozen=True)
class BatchItem:
    """One record's part of a batch: its changes, and optionally the values the writer saw
    (path -> value) so a cell someone else changed meanwhile is a conflict, not overwritten."""

    record_id: RecordId
    changes: Mapping[str, Any]
    seen: Mapping[str, Any] | None = None
    follow: Mapping[str, Any] | None = None  # what the app changes because of them (update)
    # The record as the caller has just read it, with at least ``Writer.read_fields``: it is
    # checked as it is instead of being read again (the write's guards still hold at the moment
    # of writing; a record changed in between is read and checked again).
    stored: Mapping[str, Any] | None = None


SAVED, UNCHANGED, WOULD_SAVE, REFUSED, CONFLICT = (
    "saved",
    "unchanged",
    "would_save",
    "refused",
    "conflict",
)


@dataclass(frozen=True)
class Outcome:
    record_id: RecordId
    status: str  # saved | unchanged | would_save | refused | conflict
    message: str | None = None
    field: str | None = None
    stored: dict[str, Any] | None = None  # the record after (saved) or as it is (otherwise)
    current: dict[str, Any] | None = None  # conflict: path -> the value stored now
    changed_by: dict[str, Any] | None = None  # conflict: the stamp of the last change
    # Saved from the record the caller held (``BatchItem.stored``): the revision this write
    # set, ``stored`` being that record with the write applied (None otherwise).
    written: Any = None

    @classmethod
    def refused(cls, record_id: RecordId, exc: HocBaError) -> Outcome:
        return cls(record_id, REFUSED, message=exc.message, field=exc.field)

    @classmethod
    def conflict(cls, record_id: RecordId, exc: StaleValue) -> Outcome:
        return cls(
            record_id,
            CONFLICT,
            message=exc.message,
            field=exc.field,
            current=exc.current,
            changed_by=exc.meta,
        )


def _same_value(raw: dict[str, Any], path: str, seen: Any) -> bool:
    """Whether the stored value at ``path`` is the one the writer saw (scores compared as
    numbers: Decimal128 in the database, Decimal or text in the request)."""
    stored = from_decimal128(get_path(raw, path))
    seen = from_decimal128(seen)
    if stored is None or seen is None:
        return stored is None and seen in (None, "")
    if isinstance(stored, Decimal) and not isinstance(seen, Decimal):
        try:
            seen = Decimal(str(seen).replace(",", "."))
        except ArithmeticError:
            return False
    return bool(stored == seen)


def _union_projection(projections: Iterable[dict[str, int] | None]) -> dict[str, int] | None:
    merged: dict[str, int] = {}
    for projection in projections:
        if projection is None:
            return None
        merged.update(projection)
    return merged or None


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in ``data``, copying the containers along it (``data`` shares them)."""
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node[part] = dict(node.get(part) or {})
        node = node[part]
    node[parts[-1]] = value


def _patched(
    stored: dict[str, Any], sets: Mapping[str, Any], unsets: Iterable[str]
) -> dict[str, Any]:
    """``stored`` with the changes applied (copies along their paths; ``stored`` unchanged)."""
    data = {"_": stored}
    for path, value in sets.items():
        _set_path(data, "_." + path, value)
    for path in unsets:
        _set_path(data, "_." + path, UNSET)
    return data["_"]


def _expand(path: str, value: Any) -> list[str]:
    if isinstance(value, dict) and value:
        return [leaf for k, v in value.items() for leaf in _expand(f"{path}.{k}", v)]
    return [path]


def _copied(node: Any) -> Any:
    if isinstance(node, dict):
        return dict(node)
    if isinstance(node, list):
        return list(node)
    return node


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in ``data``. Containers along the path are replaced by shallow copies
    first, so documents shared with ``data`` (the stored one, diffed afterwards) never change
    and nothing else needs copying."""
    parts = path.split(".")
    node: Any = data
    for part in parts[:-1]:
        if isinstance(node, list):
            index = int(part)
            child = node[index] = _copied(node[index])
        else:
            child = node.get(part, {})
            if child is None:
                raise InvalidInput(f"Chưa có dữ liệu cha cho «{path}»", field=path)
            child = node[part] = _copied(child)
        node = child
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        if index > len(node):
            raise InvalidInput(f"Vị trí «{path}» vượt quá danh sách", field=path)
        if value is UNSET:
            if index < len(node):
                node.pop(index)
        elif index == len(node):
            node.append(value)
        else:
            node[index] = value
    elif value is UNSET:
        node.pop(last, None)
    else:
        node[last] = value
