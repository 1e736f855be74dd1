"""Lists to pick from whose entries live in the database (roles, this year's classes, subject
groups): read once per request, shown by name, and never losing a stored value.

starlette-admin asks a field for its choices synchronously while it renders, so the choices
are read beforehand by the field's asynchronous steps (its create default, its serialisation,
its form parsing). One ``ChoiceSource`` reads every list a form needs at once: the selects
inside a list item (a teaching assignment's class) are rendered without any asynchronous step
of their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette_admin.contrib.beanie.filters import InFilter, NotInFilter
from starlette_admin.filters.base import BaseFilter
from starlette_admin.types import RequestAction

from app.store.directory import current_classes

from .fields import ChoiceField, CodeEqualFilter, CodeNotEqualFilter

Choices = list[tuple[str, str]]


class ChoiceSource:
    """Named lists of (value, label), read together by ``load`` once per request."""

    def __init__(self, name: str, load: Callable[[], Awaitable[Mapping[str, Choices]]]) -> None:
        self.name = name
        self._load = load

    def _memo(self, request: Request) -> dict[str, Choices] | None:
        loaded: dict[str, dict[str, Choices]] = getattr(request.state, "hocba_choices", {})
        return loaded.get(self.name)

    async def load(self, request: Request) -> dict[str, Choices]:
        found = self._memo(request)
        if found is None:
            found = {key: list(values) for key, values in (await self._load()).items()}
            loaded = getattr(request.state, "hocba_choices", None)
            if loaded is None:
                loaded = request.state.hocba_choices = {}
            loaded[self.name] = found
        return found

    def choices(self, request: Request, key: str) -> Choices:
        """The list as loaded in this request (empty before any asynchronous step ran)."""
        return (self._memo(request) or {}).get(key, [])

    def keep(self, request: Request, key: str, values: Sequence[Any]) -> None:
        """Offer stored values the list no longer has (a class of last year), so a form saved
        unchanged keeps them instead of dropping them silently."""
        choices = (self._memo(request) or {}).get(key)
        if choices is None:
            return
        known = {value for value, _ in choices}
        choices.extend((str(v), str(v)) for v in values if v not in (None, "") and v not in known)


@dataclass
class CatalogueChoiceField(ChoiceField):
    """A select (or multi-select) whose choices come from a ``ChoiceSource``. A stored value
    missing from the list is shown as it is, never as an error."""

    source: ChoiceSource | None = field(default=None, compare=False)
    source_key: str = ""

    def __post_init__(self) -> None:
        self.choices_loader = self._loaded
        super().__post_init__()

    def _loaded(self, request: Request) -> Choices:
        assert self.source is not None
        return self.source.choices(request, self.source_key)

    async def _ensure(self, request: Request) -> None:
        assert self.source is not None
        await self.source.load(request)

    async def get_create_default(self, request: Request) -> Any:
        await self._ensure(request)
        return await super().get_create_default(request)

    async def parse_form_data(self, request: Request, form_data: FormData) -> Any:
        await self._ensure(request)
        return await super().parse_form_data(request, form_data)

    async def serialize_value(self, request: Request, value: Any) -> Any:
        await self._ensure(request)
        values = value if self.multiple else [value]
        values = [v for v in (values or []) if v is not None]
        action = request.state.action
        if action.is_form():
            assert self.source is not None
            self.source.keep(request, self.source_key, values)
            return value
        labels = dict(self._loaded(request))
        shown = [labels.get(v, v) for v in values]
        if action == RequestAction.EXPORT:
            return ", ".join(shown)
        return shown if self.multiple else (shown[0] if shown else None)


async def _current_classes() -> dict[str, Choices]:
    return {"classes": [(name, name) for name in await current_classes()]}


# The current school year's classes, for filters of a class column.
CURRENT_CLASSES = ChoiceSource("current_classes", _current_classes)


class _ClassChoices:
    """A class filter's value is picked from this year's classes (loaded by the list page,
    see ``ScopedModelView.find_all``), not typed."""

    source: ClassVar[ChoiceSource] = CURRENT_CLASSES

    def get_choices(self, request: Request) -> Sequence[tuple[Any, str]] | None:
        return self.source.choices(request, "classes") or None


class ClassEqualFilter(_ClassChoices, CodeEqualFilter):
    pass


class ClassNotEqualFilter(_ClassChoices, CodeNotEqualFilter):
    pass


class ClassInFilter(_ClassChoices, InFilter):
    pass


class ClassNotInFilter(_ClassChoices, NotInFilter):
    pass


# The filters of a class column in the list's "Bộ lọc": each a list of this year's classes.
CLASS_FILTERS: list[type[BaseFilter]] = [
    ClassEqualFilter,
    ClassNotEqualFilter,
    ClassInFilter,
    ClassNotInFilter,
]
