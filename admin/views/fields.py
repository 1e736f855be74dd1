"""Small field types the generic ones lack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.requests import Request
from starlette_admin.contrib.beanie.filters import ContainsFilter, StartsWithFilter
from starlette_admin.fields import (
    BaseField,
    BooleanField,
    DateField,
    DateTimeField,
    EnumField,
    IntegerField,
    StringField,
)
from starlette_admin.filters.base import BaseFilter, FilterApplyContext
from starlette_admin.filters.generic import EqualFilter as BaseEqualFilter
from starlette_admin.filters.generic import NotEqualFilter as BaseNotEqualFilter
from starlette_admin.helpers import is_empty_value

F = TypeVar("F", bound=BaseField)
NOT_CHOSEN = "Chưa chọn, hãy chọn một mục trong danh sách"


def labelled(field: F, label: str) -> F:
    """Set the Vietnamese label of a container field (their constructors take none)."""
    field.label = label
    return field


@dataclass
class VersionField(IntegerField):
    """The record version the form was loaded with, sent back to detect concurrent edits."""

    form_template: str = "fields/hidden_version.html"
    label_template: str = "fields/no_label.html"  # a hidden input has nothing to label
    exclude_from_list: bool | None = True
    exclude_from_detail: bool | None = True
    exclude_from_create: bool | None = True
    exclude_from_export: bool | None = True
    exclude_from_import: bool | None = True
    searchable: bool | None = False
    orderable: bool | None = False


@dataclass
class HiddenTextField(StringField):
    """A form-only value carried between submits (never stored, listed or exported)."""

    form_template: str = "fields/hidden_version.html"
    label_template: str = "fields/no_label.html"  # a hidden input has nothing to label
    exclude_from_list: bool | None = True
    exclude_from_detail: bool | None = True
    exclude_from_export: bool | None = True
    exclude_from_import: bool | None = True
    searchable: bool | None = False
    orderable: bool | None = False


@dataclass
class ChoiceField(EnumField):
    """A select that can open on a placeholder («— Chọn lớp —») instead of its first entry,
    so a new list item (a teaching assignment) never carries a value nobody picked. Left on
    the placeholder, a required one is refused as not chosen."""

    placeholder: str = ""
    form_template: str = "fields/form/choice.html"

    async def validate(self, request: Request, value: Any, form_values: dict[str, Any]) -> None:
        if self.required and is_empty_value(value):
            raise ValueError(NOT_CHOSEN)
        await super().validate(request, value, form_values)


@dataclass
class VnDateField(DateField):
    """A date shown and picked the Vietnamese way: 03/06/2013."""

    output_format: str | None = "dd/MM/yyyy"
    form_alt_format: str | None = "d/m/Y"


@dataclass
class VnDateTimeField(DateTimeField):
    output_format: str | None = "HH:mm dd/MM/yyyy"
    form_alt_format: str | None = "d/m/Y H:i"


def _code_variants(value: Any) -> list[str]:
    text = str(value).strip()
    return list(dict.fromkeys([text, text.upper()]))


class CodeEqualFilter(BaseEqualFilter):
    """Equality for codes (class names, school years): an exact match the database answers
    from its index, where the library's string equality is a case-insensitive regular
    expression that reads every record. The case typed does not matter: "7a1" finds 7A1."""

    def apply(self, ctx: FilterApplyContext) -> dict[str, Any]:
        return {ctx.field_name: {"$in": _code_variants(ctx.value)}}


class CodeNotEqualFilter(BaseNotEqualFilter):
    def apply(self, ctx: FilterApplyContext) -> dict[str, Any]:
        return {ctx.field_name: {"$nin": _code_variants(ctx.value)}}


# The filters a code field offers in the list's "Bộ lọc".
CODE_FILTERS: list[type[BaseFilter]] = [
    CodeEqualFilter,
    CodeNotEqualFilter,
    StartsWithFilter,
    ContainsFilter,
]


@dataclass
class FlagField(BooleanField):
    """A yes/no that warns when yes (e.g. a change made outside the app): a badge, not a
    green tick for "no"."""

    list_template: str = "fields/list/flag.html"
    detail_template: str = "fields/detail/flag.html"
