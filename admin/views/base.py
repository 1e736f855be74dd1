"""ScopedModelView: the one base every panel view uses. Deny by default, scope every query.

starlette-admin allows everything unless told otherwise, and its Beanie view has no query hook,
so this class overrides every read path (count, find_all, find_by_pk, find_by_pks) to AND the
user's effective filter into the query, every ``can_*`` to ask the permission engine, and
``can_access_field`` to hide fields the user may not read or write. Out-of-scope records are
simply not found, so the panel answers 404, not 403.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import bson.errors
from beanie import PydanticObjectId
from beanie.odm.utils.encoder import Encoder
from beanie.odm.utils.parsing import parse_obj
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette_admin import fields as sa
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

from app.clock import local, utcnow
from app.errors import Forbidden, HocBaError, NotFound
from app.permissions.fields import FieldRules
from app.permissions.scope import MATCH_NOTHING, Scope, as_raw
from app.store import Restricted, Writer
from app.store.handles import Page, RowSource
from app.validation_vi import messages_by_field
from models.common import WriteSource
from models.labels import describe_path
from models.role import Action
from models.types import search_key

from ..access import access_of
from .fields import HiddenTextField, VersionField

T = TypeVar("T")
MAX_SEARCH = 100  # characters of a search term that are looked for
# The text fields the library's own search box looks in.
TEXT_FIELDS = (
    sa.StringField,
    sa.TextAreaField,
    sa.EmailField,
    sa.URLField,
    sa.PhoneField,
    sa.ColorField,
)
HIDDEN_VALUE = "(ẩn)"  # a list cell the viewer may not read for this row
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
    # Headed by the record's name (record_name), never its database id.
    detail_template = "hocba/detail.html"
    # Display-only columns -> the stored path whose read rule governs them.
    column_paths: ClassVar[dict[str, str]] = {}
    # Top-level stored fields no list column shows: a list page does not load them.
    list_omits: ClassVar[tuple[str, ...]] = ()
    # The reason the change log gives for a delete from this view.
    delete_reason: ClassVar[str] = "Xóa trên trang quản trị"
    # Fields the view itself fills in on create (not checked against the user's write rules).
    set_by_app: ClassVar[tuple[str, ...]] = ()
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

    # -- scoped reads: every one through the request's restricted handle --------------------
    def _request_action(self, request: Request) -> Action:
        action: Any = getattr(request.state, "action", None)
        return ACTION_FOR.get(action, Action.VIEW)

    def _handle(self, request: Request, action: Action | None = None) -> Restricted:
        return access_of(request).handle(self.resource, action or self._request_action(request))

    async def build_full_text_search_query(self, request: Request, term: str) -> Any:
        """The search box: the typed text matched literally (never as a regular expression)
        in the searchable text fields, without regard to case."""
        literal = re.escape(term.strip()[:MAX_SEARCH])
        paths = [
            self._stored_path(f)
            for f in self.get_fields_list(request)
            if f.searchable and f.name != "id" and type(f) in TEXT_FIELDS
        ]
        clauses = [{path: {"$regex": literal, "$options": "i"}} for path in paths]
        return RawQuery({"$or": clauses} if clauses else dict(MATCH_NOTHING)), False

    async def caller_query(
        self, request: Request, q: str | None = None, filters: FilterGroup | None = None
    ) -> dict[str, Any]:
        """What the user asked for (search box and filters), before the door adds the scope."""
        if q is not None and not q.strip():
            q = None
        query, _ = await super()._build_query(request, q, None)
        filter_query = self._filter_query(request, filters) if filters else None
        encoder = Encoder(custom_encoders=self.document.get_settings().bson_encoders)
        encoded: dict[str, Any] = encoder.encode(_and(query, filter_query or {}))
        return encoded

    async def _build_query(
        self, request: Request, q: str | None = None, filters: FilterGroup | None = None
    ) -> tuple[dict, bool]:
        return self._handle(request).query(await self.caller_query(request, q, filters)), False

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

    def source(self, request: Request, action: Action) -> RowSource:
        """Where this view's rows come from: the request's restricted handle by default."""
        return self._handle(request, action)

    async def count(
        self, request: Request, q: str | None = None, filters: FilterGroup | None = None
    ) -> int:
        source = self.source(request, self._request_action(request))
        return await source.count(await self.caller_query(request, q, filters))

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
        await self._load_filter_choices(request)
        query = await self.caller_query(request, q, filters)
        order = [(name, int(way)) for name, way in build_order_clauses(sorts)] if sorts else None
        source = self.source(request, self._request_action(request))
        page = Page(order, skip, max(limit, 0))
        docs = await source.rows(query, page, self._omitted_from_list(request))
        return self._models(request, docs)

    async def _load_filter_choices(self, request: Request) -> None:
        """Filters whose values are picked from a catalogue list (a class) read it before the
        list page renders its filter builder (which asks for choices synchronously)."""
        registry = self.get_filter_registry()
        for field in self.get_fields_list(request, include_nested=True):
            if field.searchable:
                for filter_class in registry.filters_for(field):
                    source = getattr(filter_class, "source", None)
                    if source is not None:
                        await source.load(request)

    def _models(self, request: Request, docs: list[dict[str, Any]]) -> list[Any]:
        rows = []
        stored = _memo(request).setdefault("stored_rows", {})
        for doc in docs:
            row = parse_obj(self.document, doc)
            stored[id(row)] = doc  # each row as stored, for its rules (see stored_form)
            rows.append(row)
        return rows

    def _omitted_from_list(self, request: Request) -> list[str]:
        """The ``list_omits`` fields a list page can leave in the database (the handle keeps
        any field a row filter reads: rows' grants are matched against what was loaded)."""
        if not self.list_omits or getattr(request.state, "action", None) != RequestAction.LIST:
            return []
        return list(self.list_omits)

    def record_name(self, obj: Any) -> str:
        """A record's human name, for headings and messages: never its database id."""
        for attribute in ("record_label", "full_name", "name", "username", "code"):
            value = getattr(obj, attribute, None)
            if isinstance(value, str) and value:
                return value
        return self.display_name or ""

    def export_filename(self) -> str:
        """The download's name unless the user types one: what it holds and when."""
        return export_filename(self.menu_label or self.display_name or "du-lieu")

    async def before_export(self, request: Request, ctx: Any) -> None:
        # The library names an export after the view's key ("students"): the key is the
        # default only when the user left the name empty.
        if ctx.filename == self.key:
            ctx.filename = self.export_filename()

    async def repr(self, obj: Any, request: Request) -> str:
        """How flash messages and breadcrumbs name a record: its human name, not its id."""
        return self.record_name(obj)

    async def find_by_pk(self, request: Request, pk: Any) -> Any:
        found = await self.find_in_scope(request, pk, self._request_action(request))
        if found is not None and getattr(request.state, "action", None) == RequestAction.EDIT:
            # The edit form is then built for this record (can_access_field).
            request.state.edited_rules = self._edit_rules(request, stored_form(request, found))
        return found

    async def find_in_scope(self, request: Request, pk: Any, action: Action) -> Any:
        doc = await self.source(request, action).row(pk)
        return self._models(request, [doc])[0] if doc is not None else None

    async def find_by_pks(self, request: Request, pks: Iterable[Any]) -> list[Any]:
        ids = [i for i in (object_id_or_none(pk) for pk in pks) if i is not None]
        if not ids:
            return []
        source = self.source(request, self._request_action(request))
        return self._models(request, await source.rows({"_id": {"$in": ids}}))

    # -- generic writes (catalogues, users, roles): through the door's writer ---------------
    def writer(self, request: Request, action: Action, reason: str | None = None) -> Writer:
        return access_of(request).writer(
            self.resource, action, source=WriteSource.ADMIN, reason=reason
        )

    async def create(self, request: Request, data: dict) -> Any:
        if not self.can_create(request):
            raise HTTPException(403)
        data.pop("version", None)
        try:
            doc = self.document.model_validate(
                {k: form_value(self.document, k, v) for k, v in data.items()}
            )
        except ValidationError as exc:
            raise self.invalid(messages_by_field(exc)) from exc
        await self.before_generic_write(request, doc, None)
        try:
            return await self.writer(request, Action.CREATE).insert(doc, set_by_app=self.set_by_app)
        except HocBaError as exc:
            raise domain_form_error(exc) from exc

    async def edit_target(self, request: Request, pk: Any) -> tuple[Any, Scope, FieldRules]:
        """The record an edit posts to (404 outside the user's edit scope), the edit scope, and
        what the user may write in that record (matched, as everywhere, on the stored form)."""
        doc = await self.find_in_scope(request, pk, Action.EDIT)
        if doc is None:
            raise HTTPException(404)
        scope = access_of(request).scope(self.resource, Action.EDIT)
        return doc, scope, scope.fields_for(stored_form(request, doc), "write")

    def form_fields(self, request: Request) -> list[str]:
        """The top-level fields the edit form shows this user (and so may change)."""
        return [
            f.name
            for f in self.get_fields_list(request, action=RequestAction.EDIT)
            if not isinstance(f, VersionField | HiddenTextField)
        ]

    async def edit(self, request: Request, pk: Any, data: dict[str, Any]) -> Any:
        doc, _, _ = await self.edit_target(request, pk)
        expected = data.pop("version", None)
        current = doc.model_dump()
        merged = dict(current)
        shown = self.form_fields(request)
        for key, value in data.items():
            if key in self.document.model_fields and key in shown:
                merged[key] = overlay(current.get(key), form_value(self.document, key, value))
        try:
            updated = self.document.model_validate(merged)
        except ValidationError as exc:
            raise self.invalid(messages_by_field(exc)) from exc
        await self.before_generic_write(request, updated, doc)
        try:
            return await self.writer(request, Action.EDIT).replace(
                doc.id,
                updated,
                expected_version=expected_version(expected),
                fields=shown,
            )
        except HocBaError as exc:
            raise domain_form_error(exc) from exc

    def invalid(self, errors: Mapping[str, str]) -> FormValidationError:
        """Validation messages on their fields. A field inside a list item (a guardian's
        phone) is also named above the form: the form shows no message inside list items."""
        nested = nest_errors(dict(errors))
        if named := self.named_in_list_items(errors):
            nested["__all__"] = named
        return form_error(nested)

    def named_in_list_items(self, errors: Mapping[str, str]) -> str:
        """The messages on fields inside list items, each headed by its item, as the text
        above the form: «Phân công giảng dạy 2 › Lớp: …» ("" when there are none)."""
        return "; ".join(
            f"{describe_path(self.resource, path)}: {message}"
            for path, message in errors.items()
            if in_list_item(path)
        )

    async def validate_fields(
        self, request: Request, data: dict[str, Any], exclude: Collection[str] = ()
    ) -> None:
        """The library's own field checks (a required choice left unchosen). A failure inside
        a list item is shown on the item and also named above the form, like ``invalid``."""
        try:
            await super().validate_fields(request, data, exclude)
        except FormValidationError as exc:
            paths = flatten({str(key): value for key, value in exc.errors.items()})
            messages = {path: value for path, value in paths.items() if isinstance(value, str)}
            if (named := self.named_in_list_items(messages)) and "__all__" not in exc.errors:
                exc.errors["__all__"] = named
            raise

    async def before_generic_write(self, request: Request, new: Any, old: Any | None) -> None:
        """Hook for views that validate more (roles check their rules, users their rights)."""

    async def delete(self, request: Request, pks: list[Any]) -> int | None:
        writer = self.writer(request, Action.DELETE, reason=self.delete_reason)
        count = 0
        for pk in pks:
            try:
                await writer.delete(pk)
            except NotFound:
                continue  # out of scope or gone: not revealed, not counted
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


def export_filename(label: str) -> str:
    """«Hồ sơ học sinh» → «ho-so-hoc-sinh-02-12-2026»: readable, and plain ASCII because a
    download's name travels in an HTTP header."""
    day = local(utcnow()).strftime("%d-%m-%Y")
    words = re.sub(r"[^a-z0-9]+", "-", search_key(label)).strip("-")
    return f"{words}-{day}"


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


def expected_version(submitted: Any) -> int | None:
    """The version a form was loaded at (its hidden field), if it sent one."""
    return int(submitted) if submitted not in (None, "") else None


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


def blank_takes_default(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A create form's blank inputs (None after ``blank_to_none``) left out where the model
    gives the field a default other than None, so the default applies ("Việt Nam", "Đang
    học") instead of None being refused; also inside sub-forms of nested models."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            kept[key] = value
            continue
        nested = field.annotation
        if isinstance(value, dict) and isinstance(nested, type) and hasattr(nested, "model_fields"):
            value = blank_takes_default(nested, value)
        has_default = not field.is_required() and (
            field.default is not None or field.default_factory is not None
        )
        if value is None and has_default:
            continue
        kept[key] = value
    return kept


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


def in_list_item(path: str) -> bool:
    """Whether a field lies inside a list item: the form shows no message there."""
    return any(part.isdigit() for part in path.split("."))


def domain_form_error(exc: HocBaError) -> FormValidationError:
    """A refusal of the data layer as a form error: on its field when it names one the form
    shows, else above the form (never an HTTP 500)."""
    if exc.field and not isinstance(exc, Forbidden) and not in_list_item(exc.field):
        return form_error(nest_errors({exc.field: exc.message}))
    return form_error({"__all__": exc.message})


class RawQuery:
    """Adapter: starlette-admin's Beanie view expects an operator with a ``.query`` dict."""

    def __init__(self, query: dict[str, Any]) -> None:
        self.query = query


def overlay(stored: Any, submitted: Any) -> Any:
    """A submitted form value laid over the stored one: keys the form does not show are kept.

    A form writes only what it shows; list items (a pupil's guardians) are matched to stored
    items with the same visible values, so a hidden field such as a guardian's year of birth
    survives a save, and a removed item takes its hidden fields with it.
    """
    if isinstance(stored, dict) and isinstance(submitted, dict):
        merged = dict(stored)
        for key, value in submitted.items():
            merged[key] = overlay(stored.get(key), value)
        return merged
    if isinstance(stored, list) and isinstance(submitted, list):
        remaining = [item for item in stored if isinstance(item, dict)]
        result = []
        for position, item in enumerate(submitted):
            if not isinstance(item, dict):
                result.append(item)
                continue
            match = _same_item(item, remaining, stored, position)
            if match is not None:
                remaining.remove(match)
            result.append({**match, **item} if match is not None else item)
        return result
    return submitted


def _same_item(
    item: dict[str, Any], candidates: list[dict[str, Any]], stored: list[Any], position: int
) -> dict[str, Any] | None:
    """The stored item a submitted one edits: the one at the same position if it still is a
    candidate and shares a visible value, else the first candidate equal on every value shown."""
    at = stored[position] if position < len(stored) else None
    shares = isinstance(at, dict) and any(
        at.get(k) == v for k, v in item.items() if v not in (None, "")
    )
    if isinstance(at, dict) and at in candidates and shares:
        return at
    for candidate in candidates:
        if all(candidate.get(k) == v for k, v in item.items()):
            return candidate
    return None


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
