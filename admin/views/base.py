"""ScopedModelView: the one base every panel view uses. Deny by default, scope every query.

starlette-admin allows everything unless told otherwise, and its Beanie view has no query hook,
so this class overrides every read path (count, find_all, find_by_pk, find_by_pks) to AND the
user's effective filter into the query, every ``can_*`` to ask the permission engine, and
``can_access_field`` to hide fields the user may not read or write. Out-of-scope records are
simply not found, so the panel answers 404, not 403.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import bson.errors
from beanie import PydanticObjectId
from beanie.exceptions import DocumentNotFound
from beanie.odm.utils.dump import get_dict
from beanie.odm.utils.encoder import Encoder
from beanie.odm.utils.parsing import parse_obj
from pydantic import ValidationError
from pymongo.errors import DuplicateKeyError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette_admin.contrib.beanie import ModelView
from starlette_admin.contrib.beanie.filters import build_filter_query
from starlette_admin.contrib.beanie.helpers import build_order_clauses
from starlette_admin.exceptions import ActionFailed, FormValidationError
from starlette_admin.fields import (
    BaseField,
    CollectionField,
    EnumField,
    ListField,
    PasswordField,
    StringField,
)
from starlette_admin.filters import FilterGroup, FilterRule
from starlette_admin.types import RequestAction

from app.permissions.engine import Action
from app.permissions.fields import FieldRules
from app.permissions.matcher import matches
from app.permissions.scope import Scope, as_raw
from app.records.stamp import resolve_actor, stamp_meta
from app.validation_vi import messages_by_field
from models.common import WriteSource

from ..access import access_of, scoped_filter
from .fields import HiddenTextField, VersionField

T = TypeVar("T")
HIDDEN_VALUE = "(ẩn)"  # a list cell the viewer may not read for this row
OUT_OF_SCOPE = "Thay đổi này nằm ngoài phạm vi bạn được quản lý nên không được lưu"
TAKEN = "Giá trị này đã được dùng cho một bản ghi khác"
NOTHING_DELETED = (
    "Không tìm thấy bản ghi nào để xóa: bản ghi không tồn tại hoặc nằm ngoài phạm vi của bạn"
)
CHANGED_BY_SOMEONE_ELSE = (
    "Bản ghi này vừa được người khác thay đổi. Hãy tải lại trang để xem dữ liệu mới rồi sửa lại."
)

READ_ACTIONS = {
    RequestAction.LIST,
    RequestAction.DETAIL,
    RequestAction.EXPORT,
    RequestAction.RELATION_LOOKUP,
}
ACTION_FOR = {
    RequestAction.LIST: Action.VIEW,
    RequestAction.DETAIL: Action.VIEW,
    RequestAction.RELATION_LOOKUP: Action.VIEW,
    RequestAction.EXPORT: Action.EXPORT,
    RequestAction.CREATE: Action.CREATE,
    RequestAction.EDIT: Action.EDIT,
    RequestAction.INLINE_EDIT: Action.EDIT,
    RequestAction.IMPORT: Action.IMPORT,
    RequestAction.ACTION: Action.VIEW,
    RequestAction.ROW_ACTION: Action.VIEW,
}


def _and(*parts: dict[str, Any]) -> dict[str, Any]:
    parts = tuple(p for p in parts if p)
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {"$and": list(parts)}


def object_id_or_none(pk: Any) -> PydanticObjectId | None:
    try:
        return pk if isinstance(pk, PydanticObjectId) else PydanticObjectId(pk)
    except (bson.errors.InvalidId, TypeError):
        return None


class ScopedModelView(ModelView):
    """Base view; subclasses set ``resource`` (a permission resource key)."""

    resource: ClassVar[str]
    # Forms with our error summary and buttons (hocba/form_footer.html).
    edit_template = "hocba/edit.html"
    create_template = "hocba/create.html"
    # Display-only columns -> the stored path whose read rule governs them.
    column_paths: ClassVar[dict[str, str]] = {}
    # Top-level stored fields no list column shows: a list page does not load them.
    list_omits: ClassVar[tuple[str, ...]] = ()
    # Permissions decide; starlette-admin's own switches only ever narrow further.
    export_types: ClassVar[list[Any]] = []

    # -- what the user may do ------------------------------------------------------------
    def _can(self, request: Request, action: Action) -> bool:
        access = access_of(request)
        if access.read_only and action is not Action.VIEW:
            return False  # previewing as another user never writes
        return access.can(self.resource, action)

    def is_accessible(self, request: Request) -> bool:
        return self._can(request, Action.VIEW)

    def can_view_detail(self, request: Request) -> bool:
        return self._can(request, Action.VIEW)

    def can_create(self, request: Request) -> bool:
        return self._can(request, Action.CREATE)

    def can_edit(self, request: Request) -> bool:
        """Granted, and the edit form has a field the user may write in some record (a
        subject teacher's scores are not on this form: no empty form, no edit buttons)."""
        if not self._can(request, Action.EDIT):
            return False
        return bool(self._edit_form_paths(request))

    def _edit_form_paths(self, request: Request) -> list[str]:
        """Stored paths of the edit form's fields this user may write in some record (asked
        for every row of a list page: worked out once per request)."""
        return _once(
            request,
            ("edit_form_paths", type(self)),
            lambda: [
                self._stored_path(f)
                for f in self.get_fields_list(request, action=RequestAction.EDIT)
                if not isinstance(f, VersionField | HiddenTextField)
            ],
        )

    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        """The edit button only on rows whose form holds something this user may write."""
        if not await super().is_row_action_allowed_for_obj(request, name, obj):
            return False
        if name != "edit":
            return True
        rules = self._edit_rules(request, stored_form(request, obj))
        return rules is not None and any(
            _allowed_by(rules, path) for path in self._edit_form_paths(request)
        )

    def _edit_rules(self, request: Request, record: dict[str, Any]) -> EditRules | None:
        """What the user may read and write in one record, or None without an edit grant."""
        scope = access_of(request).scope(self.resource, Action.EDIT)
        view_scope = access_of(request).scope(self.resource, Action.VIEW)
        if scope is None or not scope.allowed or view_scope is None:
            return None
        return view_scope.fields_for(record, "read"), scope.fields_for(record, "write")

    def can_delete(self, request: Request) -> bool:
        return self._can(request, Action.DELETE)

    def can_export(self, request: Request) -> bool:
        return self._can(request, Action.EXPORT)

    def can_import(self, request: Request) -> bool:
        return self._can(request, Action.IMPORT)

    def can_access_field(
        self, request: Request, field: BaseField, action: RequestAction | None = None
    ) -> bool:
        if not super().can_access_field(request, field, action):
            return False
        action = action if action is not None else request.state.action
        path = self._stored_path(field)
        path = self.column_paths.get(path, path)
        if path == "id" or isinstance(field, VersionField | HiddenTextField):
            return True  # form plumbing: the version number and one-shot confirmations
        if action == RequestAction.EDIT and hasattr(request.state, "edited_rules"):
            # The edit form of one record: what the user may read and write in that record.
            rules = request.state.edited_rules
            return rules is not None and _allowed_by(rules, path)
        scope = access_of(request).scope(self.resource, ACTION_FOR.get(action, Action.VIEW))
        if scope is None or not scope.allowed:
            return False
        view_scope = access_of(request).scope(self.resource, Action.VIEW)
        readable = view_scope is not None and view_scope.readable.may_reach(path)
        if action in READ_ACTIONS:
            return readable
        # Forms show only what the user may write.
        return readable and scope.writable.may_reach(path)

    def _stored_path(self, field: BaseField) -> str:
        paths = self.__dict__.get("_paths")
        if paths is None:
            paths = self._paths = stored_paths(self.fields)
        return paths.get(id(field)) or field._name or field.name

    # -- scoped reads ----------------------------------------------------------------------
    def _filter(self, request: Request, action: Action) -> dict[str, Any] | None:
        return scoped_filter(request, self.resource, action)

    def _request_action(self, request: Request) -> Action:
        action: Any = getattr(request.state, "action", None)
        return ACTION_FOR.get(action, Action.VIEW)

    async def _build_query(
        self, request: Request, q: str | None = None, filters: FilterGroup | None = None
    ) -> tuple[dict, bool]:
        query, is_text = await super()._build_query(request, q, None)
        filter_query = self._filter_query(request, filters) if filters else None
        scope_filter = self._filter(request, self._request_action(request))
        if scope_filter is None:
            return {"_id": {"$in": []}}, False
        return _and(query, filter_query or {}, scope_filter), is_text

    def _filter_query(self, request: Request, filters: FilterGroup) -> dict[str, Any] | None:
        """The list filters ("Bộ lọc") as a MongoDB query, nested fields included.

        The Beanie view looks rules up among the top-level fields only (a rule on a field
        inside a collection, e.g. current.class_name, raised KeyError: HTTP 500) and queries
        the field's bare name. Rules arrive already validated against every searchable field
        by its name (``class_name__eq=7A1``); they are applied here to its stored path.
        """
        if filters.is_empty():
            return None
        fields = {
            f.name: f for f in self.get_fields_list(request, include_nested=True) if f.searchable
        }
        by_path = {self._stored_path(f): f for f in fields.values()}
        group = _on_paths(filters, {name: self._stored_path(f) for name, f in fields.items()})
        return build_filter_query(group, by_path, self.get_filter_registry(), self, request)

    async def count(
        self, request: Request, q: str | None = None, filters: FilterGroup | None = None
    ) -> int:
        query, _ = await self._build_query(request, q, filters)
        return await self.document.find(query).count()

    async def find_all(
        self,
        request: Request,
        skip: int = 0,
        limit: int = 100,
        q: str | None = None,
        sorts: Sequence[tuple[str, str]] | None = None,
        filters: FilterGroup | None = None,
    ) -> list[Any]:
        # Our documents have no Beanie links: a plain find, not the library's fetch_links
        # aggregation, which makes the database materialise every record before paging.
        query, _ = await self._build_query(request, q, filters)
        omitted = self._omitted_from_list(request)
        if omitted:
            return await self._find_list_rows(request, query, omitted, skip, limit, sorts)
        result = self.document.find(query)
        if sorts:
            result = result.sort(build_order_clauses(sorts))
        result = result.skip(skip)
        if limit > 0:
            result = result.limit(limit)
        return await result.to_list()

    def _omitted_from_list(self, request: Request) -> list[str]:
        """The ``list_omits`` fields a list page can leave in the database.

        A field some row filter reads stays: the rows' grants are matched against what was
        loaded, and a missing field would match differently than the stored one.
        """
        if not self.list_omits or getattr(request.state, "action", None) != RequestAction.LIST:
            return []
        scope = access_of(request).scope(self.resource, Action.VIEW)
        needed = filter_roots(scope.filter) if scope is not None else set()
        return [name for name in self.list_omits if name not in needed]

    async def _find_list_rows(
        self,
        request: Request,
        query: dict[str, Any],
        omitted: list[str],
        skip: int,
        limit: int,
        sorts: Sequence[tuple[str, str]] | None,
    ) -> list[Any]:
        collection = self.document.get_pymongo_collection()
        encoder = Encoder(custom_encoders=self.document.get_settings().bson_encoders)
        cursor = collection.find(encoder.encode(query), dict.fromkeys(omitted, 0))
        if sorts:
            cursor = cursor.sort(build_order_clauses(sorts))
        cursor = cursor.skip(skip)
        if limit > 0:
            cursor = cursor.limit(limit)
        rows = []
        stored = _memo(request).setdefault("stored_rows", {})
        async for doc in cursor:
            row = parse_obj(self.document, doc)
            stored[id(row)] = doc  # each row as stored, for its rules (see stored_form)
            rows.append(row)
        return rows

    async def repr(self, obj: Any, request: Request) -> str:
        """How flash messages and breadcrumbs name a record: its human name, not its id."""
        for attribute in ("record_label", "full_name", "name", "username", "code"):
            value = getattr(obj, attribute, None)
            if isinstance(value, str) and value:
                return value
        return await super().repr(obj, request)

    async def find_by_pk(self, request: Request, pk: Any) -> Any:
        found = await self.find_in_scope(request, pk, self._request_action(request))
        if found is not None and getattr(request.state, "action", None) == RequestAction.EDIT:
            # The edit form is then built for this record (can_access_field).
            request.state.edited_rules = self._edit_rules(request, as_raw(found))
        return found

    async def find_in_scope(self, request: Request, pk: Any, action: Action) -> Any:
        object_id = object_id_or_none(pk)
        scope_filter = self._filter(request, action)
        if object_id is None or scope_filter is None:
            return None
        return await self.document.find_one(_and({"_id": object_id}, scope_filter))

    async def find_by_pks(self, request: Request, pks: Iterable[Any]) -> list[Any]:
        ids = [i for i in (object_id_or_none(pk) for pk in pks) if i is not None]
        scope_filter = self._filter(request, self._request_action(request))
        if not ids or scope_filter is None:
            return []
        return await self.document.find(_and({"_id": {"$in": ids}}, scope_filter)).to_list()

    # -- generic writes (catalogues, users, roles): stamped, revision-checked, scope-checked --
    async def create(self, request: Request, data: dict) -> Any:
        scope = access_of(request).scope(self.resource, Action.CREATE)
        if scope is None or not scope.allowed:
            raise HTTPException(403)
        data.pop("version", None)
        try:
            doc = self.document.model_validate(
                {k: form_value(self.document, k, v) for k, v in data.items()}
            )
        except ValidationError as exc:
            raise form_error(nest_errors(messages_by_field(exc))) from exc
        if not matches(scope.filter, get_dict(doc, to_db=True)):
            raise form_error({"__all__": OUT_OF_SCOPE})
        await self.before_generic_write(request, doc, None)
        actor, request_id = resolve_actor(None, None)
        doc.version = 1
        doc.meta = stamp_meta(actor, None, WriteSource.ADMIN, request_id)
        try:
            await doc.insert()
        except DuplicateKeyError as exc:
            raise form_error(duplicate_errors(exc)) from exc
        return doc

    async def edit_target(self, request: Request, pk: Any) -> tuple[Any, Scope, FieldRules]:
        """The record an edit posts to (404 outside the user's edit scope), the edit scope, and
        what the user may write in that record (matched, as everywhere, on the stored form)."""
        doc = await self.find_in_scope(request, pk, Action.EDIT)
        if doc is None:
            raise HTTPException(404)
        scope = access_of(request).scope(self.resource, Action.EDIT)
        assert scope is not None
        return doc, scope, scope.fields_for(as_raw(doc), "write")

    async def edit(self, request: Request, pk: Any, data: dict[str, Any]) -> Any:
        doc, scope, writable = await self.edit_target(request, pk)
        expected = data.pop("version", None)
        if expected not in (None, "") and int(expected) != doc.version:
            raise form_error({"__all__": CHANGED_BY_SOMEONE_ELSE})
        current = doc.model_dump()
        merged = dict(current)
        errors: dict[str, str] = {}
        for key, value in data.items():
            if key not in self.document.model_fields:
                continue
            value = form_value(self.document, key, value)
            if value != current.get(key) and not writable.allows(key):
                errors[key] = "Bạn không có quyền sửa trường này"
            merged[key] = value
        if errors:
            raise form_error(nest_errors(errors))
        revision = getattr(doc, "revision_id", None)
        try:
            updated = self.document.model_validate(merged)
        except ValidationError as exc:
            raise form_error(nest_errors(messages_by_field(exc))) from exc
        if not matches(scope.filter, get_dict(updated, to_db=True)):
            raise form_error({"__all__": OUT_OF_SCOPE})
        await self.before_generic_write(request, updated, doc)
        actor, request_id = resolve_actor(None, None)
        updated.version = doc.version + 1
        updated.meta = stamp_meta(actor, None, WriteSource.ADMIN, request_id)
        # The stored version (and revision, where Beanie keeps one) must still be the one read
        # above. Beanie's replace() checks only revision_id, which the catalogues do not keep:
        # two simultaneous saves of a class both succeeded, the second undoing the first.
        query: dict[str, Any] = {"_id": doc.id, "version": doc.version}
        if self.document.get_settings().use_revision:
            query["revision_id"] = revision
            updated.revision_id = uuid.uuid4()
        try:
            await self.document.find_one(query).replace_one(updated)
        except DocumentNotFound as exc:
            raise form_error({"__all__": CHANGED_BY_SOMEONE_ELSE}) from exc
        except DuplicateKeyError as exc:
            raise form_error(duplicate_errors(exc)) from exc
        return updated

    async def before_generic_write(self, request: Request, new: Any, old: Any | None) -> None:
        """Hook for views that validate more (roles check their rules, users their rights)."""

    async def delete(self, request: Request, pks: list[Any]) -> int | None:
        count = 0
        for pk in pks:
            doc = await self.find_in_scope(request, pk, Action.DELETE)
            if doc is None:
                continue
            actor, request_id = resolve_actor(None, None)
            collection = self.document.get_pymongo_collection()
            # Stamp first so the change log can attribute the delete.
            await collection.update_one(
                {"_id": doc.id},
                {
                    "$set": {
                        "meta": stamp_meta(
                            actor,
                            "Xóa trên trang quản trị",
                            WriteSource.ADMIN,
                            request_id,
                            intent="delete",
                        ).model_dump()
                    },
                    "$inc": {"version": 1},
                },
            )
            await collection.delete_one({"_id": doc.id})
            count += 1
        return nothing_deleted(pks, count)

    # -- field values ------------------------------------------------------------------------
    async def serialize(
        self,
        obj: Any,
        request: Request,
        include_relationships: bool = True,
        include_select2: bool = False,
    ) -> dict[str, Any]:
        data = await super().serialize(obj, request, include_relationships, include_select2)
        scope = access_of(request).scope(self.resource, Action.VIEW)
        if scope is None or not scope.allowed:
            return {"id": data.get("id")}
        record = stored_form(request, obj) if hasattr(obj, "model_dump") else {}
        kept = prune(data, scope.fields_for(record, "read"), aliases=self.column_paths)
        if getattr(request.state, "action", None) == RequestAction.LIST:
            self._mark_hidden(request, data, kept)
        return kept

    def _mark_hidden(self, request: Request, data: dict[str, Any], kept: dict[str, Any]) -> None:
        """A text column this row's rules hide reads «(ẩn)», not blank: a blank cell would
        say the pupil has no ethnicity recorded. Hidden whether or not there is a value."""
        text_columns = _once(  # the same columns for every row
            request,
            ("text_columns", type(self)),
            lambda: [
                field.name
                for field in self.get_fields_list(request)
                if isinstance(field, StringField)
                and not isinstance(field, (EnumField, PasswordField))
            ],
        )
        for name in text_columns:
            if name in data and name not in kept:
                kept[name] = HIDDEN_VALUE


def _memo(request: Request) -> dict[Any, Any]:
    """Values worked out once per request (a list page asks the same for every row)."""
    memo: dict[Any, Any] | None = getattr(request.state, "hocba_memo", None)
    if memo is None:
        memo = request.state.hocba_memo = {}
    return memo


def _once(request: Request, key: Any, compute: Callable[[], T]) -> T:
    """``compute()`` the first time ``key`` is asked for in this request, then its value."""
    memo = _memo(request)
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def stored_form(request: Request, obj: Any) -> dict[str, Any]:
    """A row as the database holds it: the document the list page loaded, else the model
    encoded as Beanie stores it. Rules are matched against stored values, as queries are."""
    stored = _memo(request).get("stored_rows", {}).get(id(obj))
    return stored if stored is not None else as_raw(obj)


EditRules = tuple[Any, Any]  # (readable, writable) field rules of one record


def _allowed_by(rules: EditRules, path: str) -> bool:
    readable, writable = rules
    return bool(readable.may_reach(path) and writable.may_reach(path))


def filter_roots(query: Any) -> set[str]:
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


def _on_paths(group: FilterGroup, paths: dict[str, str]) -> FilterGroup:
    """The same filter tree with each rule's field name replaced by its stored path."""
    rules: list[FilterGroup | FilterRule] = [
        _on_paths(r, paths)
        if isinstance(r, FilterGroup)
        else dataclasses.replace(r, field=paths.get(r.field, r.field))
        for r in group.rules
    ]
    return FilterGroup(logic=group.logic, rules=rules)


def stored_paths(fields: Iterable[BaseField], prefix: str = "") -> dict[int, str]:
    """Each field (by id) -> the stored path its rules are checked on.

    starlette-admin names the fields of a list item after the item alone ("guardians.relation"
    for profile.guardians[].relation), a path no rule covers: the guardians were hidden from
    the office's form, which then saved an empty list over them. A list is written as a whole,
    so the list's own path governs its items.
    """
    paths: dict[int, str] = {}
    for field in fields:
        path = prefix + field.name
        paths[id(field)] = path
        if isinstance(field, CollectionField):
            paths.update(stored_paths(field.fields, path + "."))
        elif isinstance(field, ListField):
            paths.update(dict.fromkeys(stored_paths([field.field]), path))
    return paths


class ReadOnlyView(ScopedModelView):
    """Journals (change log, alarms, sign-ins) are append-only: nobody writes them here,
    whatever a role says."""

    def can_create(self, request: Request) -> bool:
        return False

    def can_edit(self, request: Request) -> bool:
        return False

    def can_delete(self, request: Request) -> bool:
        return False


def prune(
    data: dict[str, Any], rules: Any, prefix: str = "", aliases: dict[str, str] | None = None
) -> dict[str, Any]:
    """Drop every value the rules do not let the viewer read (containers are walked).

    Keys starting with "_" are the panel's own metadata and the id is always kept, and so is
    the version: without it an edit form of someone who may not read it had no conflict check
    (VersionField is never listed, shown or exported).
    """
    kept: dict[str, Any] = {}
    for key, value in data.items():
        path = (aliases or {}).get(key, f"{prefix}{key}")
        if key == "id" or key.startswith("_") or path == "version":
            kept[key] = value
        elif isinstance(value, dict) and rules.may_reach(path):
            kept[key] = prune(value, rules, path + ".")
        elif rules.allows(path):
            kept[key] = value
    return kept


def nothing_deleted(pks: list[Any], count: int) -> int:
    """The delete count; refuses when nothing could be deleted, which starlette-admin would
    otherwise announce as «đã xóa thành công» (out-of-scope ids are simply not found)."""
    if pks and not count:
        raise ActionFailed(NOTHING_DELETED)
    return count


def form_error(errors: Mapping[str, Any]) -> FormValidationError:
    """A form error (per field, or "__all__" for the whole form) starlette-admin re-renders."""
    keyed: dict[str | int, Any] = {key: value for key, value in errors.items()}
    return FormValidationError(keyed)


def blank_to_none(value: Any) -> Any:
    """An empty form input means "no value", also inside lists of sub-forms."""
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, list):
        return [blank_to_none(v) for v in value]
    if isinstance(value, dict):
        return {k: blank_to_none(v) for k, v in value.items()}
    return value


def form_value(model: Any, key: str, value: Any) -> Any:
    """A submitted value as the model stores it: blank is None where the field takes None, so
    re-saving an untouched form never turns "no value" into an empty string."""
    field = model.model_fields.get(key)
    if field is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        accepts_none = not field.is_required() and field.default is None
        return None if accepts_none and not value.strip() else value
    return value  # sub-forms are the model's to read (roles parse their own blank fields)


def duplicate_errors(exc: DuplicateKeyError) -> dict[str, Any]:
    """A duplicate-key error as a form error on the offending field (never an HTTP 500)."""
    pattern = (exc.details or {}).get("keyPattern") or {}
    fields = [k for k in pattern if k != "_id"]
    if not fields:
        return {"__all__": "Bản ghi này trùng với một bản ghi đã có"}
    return nest_errors(dict.fromkeys(fields, TAKEN))


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"profile": {"full_name": "A"}} -> {"profile.full_name": "A"} (lists stay whole)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def nest_errors(errors: dict[str, str]) -> dict[str, Any]:
    """{"profile.full_name": "msg"} -> {"profile": {"full_name": "msg"}} as forms expect."""
    nested: dict[str, Any] = {}
    for path, message in errors.items():
        node = nested
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = message
    return nested


__all__: Sequence[str] = ["ScopedModelView", "flatten", "nest_errors", "prune"]
