"""Raw collections of the registered resources: taken here and nowhere else in the app."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from models.resources import RESOURCES, model_of


def collection(resource: str) -> AsyncCollection[Any]:
    """The collection holding ``resource`` (in the database the documents were set up with)."""
    model = model_of(resource)
    if model is None:
        raise KeyError(resource)
    found: AsyncCollection[Any] = model.get_pymongo_collection()  # type: ignore[attr-defined]
    return found


def database() -> AsyncDatabase[Any]:
    return collection("roles").database


def collection_name(resource: str) -> str:
    return RESOURCES[resource].collection
