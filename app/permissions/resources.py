"""The resources permissions can name: label, collection and model (for field checks)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel

from app.changelog.audited import AUDITED
from models.role import RESOURCE_LABELS

# Resource code -> Vietnamese label; iterate it for every resource code.
RESOURCES = RESOURCE_LABELS


@dataclass(frozen=True)
class Resource:
    code: str
    label: str
    collection: str
    model: type[BaseModel] | None  # None: no model yet, field names are not checked


_MODELS: dict[str, type[BaseModel] | None] = {
    **AUDITED,  # every audited collection is a resource of the same name
    "change_log": None,
    "auth_events": None,  # filled in by _optional_models() when the model exists
}


def _optional_models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    try:
        from models.auth import AuthEvent
    except ImportError:  # the sign-in journal is not part of every build yet
        return found
    found["auth_events"] = AuthEvent
    return found


@cache
def resources() -> dict[str, Resource]:
    result = {}
    models = {**_MODELS, **_optional_models()}
    for code, label in RESOURCE_LABELS.items():
        model = models.get(code)
        settings = getattr(model, "Settings", None)
        collection = getattr(settings, "name", None) or code
        result[code] = Resource(code, label, collection, model)
    return result


def resource(code: str) -> Resource:
    """The resource named ``code``; KeyError for an unknown one (validation refuses those)."""
    return resources()[code]
