"""Update statements: what the backend can apply, and applying one document atomically.

A pipeline update whose result has no ``_id`` (``$replaceRoot`` to a sub-document) keeps the
document's ``_id``, as MongoDB does; mongomock-ng took it for an attempt to change it.

mongomock-ng applies update operators one after the other on the stored document itself and
does not roll back when a later operator fails (``$inc`` on a string, ``$push`` on a non-array),
so a failed update would leave a half-updated document. MongoDB updates one document atomically;
the server therefore restores the document's previous version on any failure.
"""

from __future__ import annotations

from typing import Any

from mongomock_ng import WriteError
from mongomock_ng import aggregate as mm_aggregate
from mongomock_ng.collection import Collection

from .errors import CommandError, not_supported
from .fastpaths import store_key

# The update operators mongomock-ng implements (collection._updaters plus its special cases).
SUPPORTED_OPERATORS = {
    "$set",
    "$unset",
    "$inc",
    "$min",
    "$max",
    "$bit",
    "$pop",
    "$rename",
    "$setOnInsert",
    "$currentDate",
    "$addToSet",
    "$pull",
    "$pullAll",
    "$push",
}
# Valid in MongoDB, missing in mongomock-ng: refused rather than failing obscurely.
UNSUPPORTED_OPERATORS = {"$mul"}


def is_replacement(update: Any) -> bool:
    return isinstance(update, dict) and not any(k.startswith("$") for k in update)


def check_update(update: Any, *, multi: bool) -> None:
    """Refuse, before anything is applied, an update the backend would get wrong."""
    if isinstance(update, list):
        return  # a pipeline: its stages are checked by the aggregation code
    if not isinstance(update, dict):
        raise CommandError(14, "Update argument must be either an object or an array")
    if is_replacement(update):
        if multi:
            raise CommandError(9, "multi update is not supported for replacement-style update")
        return
    for operator in update:
        if operator in UNSUPPORTED_OPERATORS:
            raise not_supported(f"The {operator} update operator")
        if operator not in SUPPORTED_OPERATORS:
            raise CommandError(
                9,
                f"Unknown modifier: {operator}. Expected a valid update modifier or "
                "pipeline-style update specified as an array",
            )
    if has_nested_array_filter(update):
        raise not_supported("An update path with more than one $[identifier] array filter")


def has_nested_array_filter(update: Any) -> bool:
    """True when an update path uses two or more ``$[identifier]`` filters (a.$[x].b.$[y])."""
    if not isinstance(update, dict):
        return False
    for operator, fields in update.items():
        if operator.startswith("$") and isinstance(fields, dict):
            for path in fields:
                if path.count("$[") - path.count("$[]") >= 2:
                    return True
    return False


def apply_to_one(
    coll: Collection,
    doc_id: Any,
    before: dict[str, Any],
    query: dict[str, Any],
    update: Any,
    array_filters: list[dict[str, Any]] | None,
) -> None:
    """Apply ``update`` to the document ``doc_id`` (whose current copy is ``before``), all or
    nothing."""
    try:
        if is_replacement(update):
            if "_id" in update and update["_id"] != doc_id:
                raise WriteError(
                    "After applying the update, the (immutable) field '_id' was found to have "
                    "been altered",
                    66,
                )
            coll.replace_one({"_id": doc_id}, update)
        else:
            coll.update_one({**query, "_id": doc_id}, update, array_filters=array_filters)
    except Exception as exc:
        coll._store._documents[store_key(doc_id)] = before
        if isinstance(exc, (TypeError, AttributeError)):
            # A Python error inside mongomock means an operator met a value of the wrong type.
            raise CommandError(14, f"Cannot apply the update to _id {doc_id!r}: {exc}") from exc
        raise


def _apply_update_pipeline(
    self: Collection, existing_document: dict[str, Any], pipeline: list[Any], session: Any
) -> None:
    """mongomock-ng's pipeline update, keeping ``_id`` when the pipeline's result lacks it."""
    (new_document,) = mm_aggregate.process_pipeline(
        [existing_document], self.database, pipeline, session
    )
    if "_id" not in new_document and "_id" in existing_document:
        new_document = {"_id": existing_document["_id"], **new_document}
    existing_document.clear()
    existing_document.update(new_document)


def install() -> None:
    Collection._apply_update_pipeline = _apply_update_pipeline  # type: ignore[method-assign]
