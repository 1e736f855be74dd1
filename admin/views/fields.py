"""Small field types the generic ones lack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from starlette_admin.fields import BaseField, IntegerField, StringField

F = TypeVar("F", bound=BaseField)


def labelled(field: F, label: str) -> F:
    """Set the Vietnamese label of a container field (their constructors take none)."""
    field.label = label
    return field


@dataclass
class VersionField(IntegerField):
    """The record version the form was loaded with, sent back to detect concurrent edits."""

    form_template: str = "fields/hidden_version.html"
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
    exclude_from_list: bool | None = True
    exclude_from_detail: bool | None = True
    exclude_from_export: bool | None = True
    exclude_from_import: bool | None = True
    searchable: bool | None = False
    orderable: bool | None = False
