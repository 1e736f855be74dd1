"""Reads that copy only the documents they return.

mongomock-ng answers ``find`` by copying every matching document before it applies skip and
limit, answers ``count``/``distinct`` over such copies, and starts every aggregation with a copy
of the whole collection (and its ``$match`` stage rebuilds every document once more to round its
dates). With 10,000 pupil records of ~30 KB each one page of 25 rows took 17-33 s. The functions
here keep mongomock-ng's semantics by calling its own pieces in the same order, but on the stored
documents themselves, and copy only what leaves the server:

* ``find``: ``Collection._iter_documents`` (the same matcher, with the ``_id`` fast path of
  ``fastpaths``) over the stored documents, the sort of ``Collection._get_dataset`` (one stable
  pass per key from the last, ``$natural``; see ``_sort_pass``), skip/limit sliced as ``Cursor``
  slices, and only then ``Collection._copy_only_fields`` (mongomock's copy and projection) on
  the documents returned. ``stored_matches`` gives the same documents uncopied, for delete and
  update, which only need them (or their ``_id``) for a moment;
* ``count`` and ``distinct``: the same matching, no copies at all;
* ``aggregate``: a ``$match`` that only reads fields the per-document stages before it do not
  write (Beanie's ``fetch_links`` puts the query after its ``$lookup`` stages) is moved in front
  of them; a leading run of ``$match``/``$sort``/``$skip``/``$limit`` then runs on the stored
  documents (``$match`` on a view of the paths its filter reads, patched as mongomock patches
  each document, see ``_match_view``). When per-document stages that keep one document per
  document come next (Beanie's direct-link lookups, checked on the data) and a ``$sort`` on
  fields they do not write, ``$skip`` or ``$limit`` follows them, those run first too. The
  survivors are then copied and handed with the rest of the pipeline to
  ``aggregate.process_pipeline``: only the field paths the rest reads when it bounds its output
  by them (see ``reads``), else whole. PyMongo's ``count_documents`` pipeline and a trailing
  ``$count`` are answered without copying anything.

Everything mongomock-ng treats specially (``$near`` queries, time-zone aware codec options,
negative skips) still goes through mongomock-ng as it is.

Deliberate differences, all for requests mongomock-ng would have failed: an error that depends
on a document's data (a projection ``$slice`` on a non-array, an aggregation expression on a
wrong type) is raised only for documents that are still processed, as MongoDB does, not for
ones skipped, limited away or filtered out before the stage that fails.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import bson
from bson import Decimal128
from bson.raw_bson import RawBSONDocument
from bson.timestamp import Timestamp
from mongomock_ng import aggregate as mm_aggregate
from mongomock_ng import collection as mm_collection
from mongomock_ng import filtering, helpers
from mongomock_ng.collection import Collection
from mongomock_ng.geospatial import extract_near_specs
from mongomock_ng.profiler import get_profiler

from . import fastpaths, matcher, reads, semantics
from .cursors import encoded

Doc = dict[str, Any]

# Stages that transform each document on its own (0..n documents out per document in, nothing
# shared between documents): a $match that reads none of the fields they write filters the same
# documents before them as after them.
_PER_DOCUMENT_STAGES = {"$lookup", "$unwind", "$addFields", "$set", "$project", "$unset"}
# The leading stages evaluated on the stored documents without copying them.
_LEADING_STAGES = {"$match", "$sort", "$skip", "$limit"}


# -- helpers -------------------------------------------------------------------------------------
def _plain(coll: Collection) -> bool:
    """True when the collection's options leave mongomock's results untouched after copying
    (the server's client: no tz-aware datetimes, plain dicts)."""
    options = coll.codec_options
    return not options.tz_aware and options.document_class is dict


def patched_filter(spec: Any) -> Any:
    """``patch_datetime_awareness_in_document(spec)``, as mongomock-ng prepares a filter, or
    ``spec`` itself when that would only rebuild it (nothing in it is a date, a timestamp, a
    tuple or a subclass of dict or list): the matcher only reads it."""
    return helpers.patch_datetime_awareness_in_document(spec) if _patched_apart(spec) else spec


def _patched_apart(value: Any) -> bool:
    kind = type(value)
    if kind is dict or kind is list:
        for item in value.values() if kind is dict else value:
            if type(item) in fastpaths.IMMUTABLE and type(item) is not datetime:
                continue
            if _patched_apart(item):
                return True
        return False
    return isinstance(value, (dict, list, tuple, datetime, Timestamp))


def _has_near(spec: Mapping[str, Any]) -> bool:
    return bool(spec) and bool(extract_near_specs(dict(spec))[0])


def _copy(coll: Collection, doc: Doc, fields: Any, spec: Any) -> Doc | None:
    """mongomock's copy + projection of one document, exactly as ``_get_dataset`` calls it."""
    return coll._copy_only_fields(doc, fields, dict, filter=spec)


def _projection_may_drop(fields: Any) -> bool:
    """mongomock's ``$size`` projection operator drops documents (before skip and limit)."""
    return isinstance(fields, Mapping) and any(
        isinstance(v, Mapping) and "$size" in v for v in fields.values()
    )


def _handler(stage: str) -> Any:
    """mongomock's handler of an aggregation stage (one it implements)."""
    return mm_aggregate._PIPELINE_HANDLERS[stage]


def _sort_pass(docs: list[Doc], key: str, direction: Any) -> list[Doc]:
    """One stable pass of mongomock's sort: ``sorted(docs, key=resolve_sort_key(key, .),
    reverse=direction < 0)``.

    When every document holds a value of one and the same plain type at ``key`` (names, codes,
    dates, ids), mongomock's key is ``(1, BsonComparable(value))`` for all of them and compares
    with Python's ``<`` on the values (``semantics.bson_compare``'s same-type rule); sorting by
    the values themselves is then the same sort, without a Python-level comparison each time.
    """
    reverse = direction < 0
    values = [filtering.resolve_key(key, doc) for doc in docs]
    kind = type(values[0]) if values else None
    if kind in semantics.ORDERED_TYPES and all(type(v) is kind for v in values):
        order = sorted(range(len(docs)), key=values.__getitem__, reverse=reverse)
        return [docs[i] for i in order]
    return sorted(docs, key=lambda doc: sort_key(key, doc, reverse), reverse=reverse)


def sort_key(key: str, doc: Doc, descending: bool) -> tuple[int, filtering.BsonComparable]:
    """mongomock's ``resolve_sort_key`` with MongoDB's rule for arrays, where mongomock takes
    the first element: an ascending sort compares an array by its smallest element and a
    descending one by its largest; an empty array sorts before null and missing fields."""
    value = filtering.resolve_key(key, doc)
    if isinstance(value, (list, tuple)):
        if not value:
            return 0, filtering.BsonComparable(None)
        pick = max if descending else min
        return 1, filtering.BsonComparable(pick(value, key=filtering.BsonComparable))
    return filtering.resolve_sort_key(key, doc)


def _sorted(dataset: Iterable[Doc], sort: Any) -> list[Doc]:
    """``Collection._get_dataset``'s sort, applied to the stored documents."""
    docs = list(dataset)
    if not sort:
        return docs
    items = sort.items() if isinstance(sort, dict) else sort
    normalized = []
    for item in items:
        if isinstance(item, str):
            normalized.append((item, 1))
        else:
            key, direction = item
            normalized.append((key, direction))
    for key, direction in reversed(normalized):
        if key == "$natural":
            if direction < 0:
                docs.reverse()
            continue
        if isinstance(key, str) and key.startswith("$"):
            raise NotImplementedError(f"Sorting by {key} is not implemented in mongomock-ng yet")
        docs = _sort_pass(docs, key, direction)
    return docs


def _sort_stage(docs: list[Doc], options: Any, database: Any) -> list[Doc]:
    """mongomock's ``$sort`` stage (``_handle_sort_stage``): one pass per key, from the last."""
    if not isinstance(options, Mapping):
        return _handler("$sort")(docs, database, options, None)
    for key, direction in reversed(list(options.items())):
        docs = _sort_pass(docs, key, direction)
    return docs


def _window(docs: list[Doc], skip: int, limit: int) -> list[Doc]:
    """``Cursor._compute_results(with_limit_and_skip=True)``'s slicing."""
    docs = docs[skip:]
    return docs[: abs(limit)] if limit else docs


def _matching(coll: Collection, spec: Mapping[str, Any], sort: Any) -> list[Doc]:
    """The stored documents ``find`` would copy, in the order it would return them."""
    mm_collection._profiler_set_sort(sort)
    return _sorted(coll._iter_documents(spec), sort)


# -- find, count, distinct -----------------------------------------------------------------------
def _unplanned(coll: Collection, filter_: Any, skip: int) -> bool:
    """Cases left to mongomock-ng as it is."""
    return not isinstance(filter_, Mapping) or skip < 0 or not _plain(coll) or _has_near(filter_)


def stored_matches(
    coll: Collection, filter_: Any, *, sort: Any = None, skip: int = 0, limit: int = 0
) -> list[Doc] | None:
    """The stored documents (not copies) ``find(filter_, sort=..., skip=..., limit=...)``
    returns, in its order; None when mongomock-ng must answer by itself. Only for callers that
    neither change them nor keep them while they are stored: update reads their ``_id``, delete
    removes each one before handing it on."""
    if _unplanned(coll, filter_, skip):
        return None
    spec = patched_filter(filter_)
    return _window(_matching(coll, spec, sort), skip, limit)


def find(
    coll: Collection,
    filter_: Any,
    projection: Any = None,
    *,
    sort: Any = None,
    skip: int = 0,
    limit: int = 0,
) -> list[Doc]:
    """``list(coll.find(filter_, projection, skip=skip, limit=limit, sort=sort))``, copying
    only the documents returned."""
    if _unplanned(coll, filter_, skip):
        return list(coll.find(filter_, projection, skip=skip, limit=limit, sort=sort))
    spec = patched_filter(filter_)
    matches = _matching(coll, spec, sort)
    if _projection_may_drop(projection):
        # A dropped document does not count towards skip or limit: project as we go.
        projected = (_copy(coll, doc, projection, spec) for doc in matches)
        kept = (doc for doc in projected if doc is not None)
        stop = skip + abs(limit) if limit else None
        return list(itertools.islice(kept, skip, stop))
    window = _window(matches, skip, limit)
    if not window and matches and projection:
        # mongomock projected every match, so an invalid projection failed even when nothing
        # was returned; keep that (one document, the result is discarded).
        _copy(coll, matches[0], projection, spec)
    return [doc for doc in (_copy(coll, d, projection, spec) for d in window) if doc is not None]


def find_encoded(
    coll: Collection,
    filter_: Any,
    projection: Any = None,
    *,
    sort: Any = None,
    skip: int = 0,
    limit: int = 0,
) -> list[RawBSONDocument]:
    """``find``'s documents as BSON, encoded at once. Without a projection, or with a plain one
    (fields included or excluded, no operator), each is encoded from the stored document itself
    (projected by new containers along the kept paths) instead of from a copy: the copy of a
    pupil's record cost four times its encoding."""
    fields = _plain_projection(projection)
    if fields is None or _unplanned(coll, filter_, skip):
        return [
            encoded(doc)
            for doc in find(coll, filter_, projection, sort=sort, skip=skip, limit=limit)
        ]
    spec = patched_filter(filter_)
    window = _window(_matching(coll, spec, sort), skip, limit)
    return [encoded(_shared_projection(doc, fields)) for doc in window]


def _plain_projection(projection: Any) -> dict[str, bool] | None:
    """A projection that only includes or excludes fields (``{}`` for none); None otherwise."""
    if not projection:
        return {}
    if not isinstance(projection, Mapping):
        return None
    fields: dict[str, bool] = {}
    for key, value in projection.items():
        if not isinstance(key, str) or "$" in key or type(value) not in (int, bool):
            return None
        if value not in (0, 1):
            return None
        fields[key] = bool(value)
    rest = {v for k, v in fields.items() if k != "_id"}
    return fields if len(rest) <= 1 else None  # mixed: mongomock-ng raises its own error


def _shared_projection(doc: Doc, fields: dict[str, bool]) -> Doc:
    """mongomock-ng's projection (``Collection._copy_only_fields``) of a plain projection,
    sharing the stored values instead of copying them: only for encoding at once."""
    if not fields:
        return doc
    keep_id = fields.get("_id", True)
    rest = {k: v for k, v in fields.items() if k != "_id"}
    if not rest:
        projected = {} if keep_id else {k: v for k, v in doc.items() if k != "_id"}
    else:
        combined = mm_collection._combine_projection_spec(rest)
        projected = _project_shared(doc, combined, next(iter(rest.values())))
    if not keep_id:
        projected.pop("_id", None)
    elif "_id" in doc:
        projected["_id"] = doc["_id"]
    return projected


def _project_shared(doc: Doc, spec: Mapping[str, Any], include: bool) -> Doc:
    """``mongomock_ng.collection._project_by_spec`` without positional projection (a plain
    projection has none) and without copying what it keeps."""
    out: Doc = {}
    for key, value in doc.items():
        sub = spec.get(key, filtering.NOTHING)
        if isinstance(sub, dict):
            if isinstance(value, (list, tuple)):
                out[key] = [_project_shared(item, sub, include) for item in value]
            elif isinstance(value, dict):
                out[key] = _project_shared(value, sub, include)
        elif (sub is not filtering.NOTHING) == include:
            out[key] = value
    return out


def count(coll: Collection, filter_: Any, *, skip: int = 0, limit: int = 0) -> int:
    """How many documents ``find(filter_, skip=skip, limit=limit)`` returns; nothing copied."""
    if _unplanned(coll, filter_, skip):
        return len(list(coll.find(filter_, skip=skip, limit=limit)))
    spec = patched_filter(filter_)
    return len(_window(_matching(coll, spec, None), skip, limit))


def distinct(coll: Collection, key: str, filter_: Any) -> list[Any]:
    """``coll.distinct(key, filter_)`` (``Cursor.distinct``) over the stored documents."""
    spec = {} if filter_ is None else filter_
    if _unplanned(coll, spec, 0):
        values = coll.distinct(key, filter_)
        return sorted(values, key=functools.cmp_to_key(semantics.bson_cmp))
    spec = patched_filter(spec)
    unique: dict[Any, Any] = {}
    for doc in _matching(coll, spec, None):
        for values in filtering.iter_key_candidates(key, doc):
            if values == filtering.NOTHING:
                continue
            if not isinstance(values, (tuple, list)):
                values = [values]
            for value in values:
                unique.setdefault(distinct_key(value), value)
    # MongoDB's distinct gathers the values in a set ordered by BSON comparison.
    ordered = sorted(unique.values(), key=functools.cmp_to_key(semantics.bson_cmp))
    # dict(v) copies the top level; the values below it are the stored ones, which the reply
    # encodes at once (the same objects a copy would have been made of).
    return [dict(v) if isinstance(v, dict) else v for v in ordered]


def distinct_key(value: Any) -> Any:
    """Equal for the values MongoDB's ``distinct`` counts once, as ``semantics.bson_equal``
    compares them: numbers by exact value whatever their type (1, 1.0 and Decimal128("1")
    are one value), documents field by field in order, arrays element by element."""
    if semantics.is_number(value):
        exact = value.to_decimal() if isinstance(value, Decimal128) else Decimal(value)
        return ("number", "NaN" if exact.is_nan() else exact)
    if isinstance(value, Mapping):
        return ("document", tuple((k, distinct_key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("array", tuple(distinct_key(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return ("bson", bson.encode({"": value}))
    return (type(value).__name__, value)


# -- aggregate -----------------------------------------------------------------------------------
def _root(path: str) -> str:
    return path.split(".", 1)[0]


def filter_roots(spec: Any) -> set[str] | None:
    """The top-level fields a query filter reads, or None when it may read any ($expr...)."""
    paths = reads.filter_paths(spec, expressions=False)
    return None if paths is None else {_root(p) for p in paths}


def _written_roots(stage: Mapping[str, Any]) -> set[str] | None:
    """The top-level fields a per-document stage writes (adds, replaces or removes), or None
    when the stage is not a simple per-document stage."""
    ((name, options),) = stage.items()
    if name not in _PER_DOCUMENT_STAGES:
        return None
    if name == "$lookup":
        target = options.get("as") if isinstance(options, Mapping) else None
        return {_root(target)} if isinstance(target, str) and target else None
    if name == "$unwind":
        spec = options if isinstance(options, Mapping) else {"path": options}
        path, index = spec.get("path"), spec.get("includeArrayIndex")
        if not isinstance(path, str) or not path.startswith("$") or len(path) < 2:
            return None
        roots = {_root(path[1:])}
        if index is not None:
            if not isinstance(index, str) or not index:
                return None
            roots.add(_root(index))
        return roots
    if name in ("$addFields", "$set"):
        if not isinstance(options, Mapping) or not options:
            return None
        if not all(isinstance(k, str) and k for k in options):
            return None
        return {_root(k) for k in options}
    if name == "$project":
        # Only an exclusion projection keeps the fields it does not name.
        if not isinstance(options, Mapping) or not options:
            return None
        for key, value in options.items():
            if not isinstance(key, str) or isinstance(value, (Mapping, list, str)):
                return None
            if value is not False and not (isinstance(value, (int, float)) and value == 0):
                return None
        return {_root(k) for k in options}
    # $unset
    fields = [options] if isinstance(options, str) else options
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        return None
    return {_root(f) for f in fields}


def hoist_matches(pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Move each ``$match`` that follows only per-document stages, and reads no field they
    write, to the front of the pipeline (their relative order kept). The result is the same:
    those stages map each document on its own and leave the fields the filter reads as they
    were, so filtering before or after them keeps the same documents, in the same order."""
    hoisted: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    written: set[str] = set()
    for position, stage in enumerate(pipeline):
        ((name, options),) = stage.items()
        if name == "$match":
            roots = filter_roots(options)
            if roots is not None and not roots & written:
                hoisted.append(stage)
                continue
            return hoisted + kept + pipeline[position:]
        touched = _written_roots(stage)
        if touched is None:
            return hoisted + kept + pipeline[position:]
        written |= touched
        kept.append(stage)
    return hoisted + kept


def _match_view(doc: Doc, paths: set[str] | None) -> Doc:
    """What mongomock's ``$match`` stage tests: ``patch_datetime_awareness_in_document(doc)``.

    mongomock patches a copy of the document (plain dicts all the way down), rebuilding all of
    it (milliseconds, naive UTC datetimes) for every document and stage. A filter that reads
    only the field paths ``paths`` (``reads.filter_paths``) sees the same values in a patched
    copy of those paths alone. (Stored documents are decoded BSON: plain dicts and lists.)
    """
    if paths is None:
        return helpers.patch_datetime_awareness_in_document(doc)
    if not paths:
        return doc  # {} or only $comment: nothing is read
    return helpers.patch_datetime_awareness_in_document(reads.pruned(doc, paths))


def _match(coll: Collection, docs: list[Doc] | None, options: Any, database: Any) -> list[Doc]:
    """mongomock's ``_handle_match_stage`` on stored documents (None: the whole collection)."""
    spec = patched_filter(options)
    get_profiler().record(spec, f"{database.name}.<aggregate>", "aggregate")
    paths = reads.filter_paths(spec, expressions=False)
    if docs is None:
        only = _single_id_match(coll, spec, paths)
        if only is not None:
            return only
        docs = fastpaths.indexed_candidates(coll, spec)
        if docs is None:
            docs = list(coll._store.documents)
    applies = matcher.filter_applies
    return [doc for doc in docs if applies(spec, _match_view(doc, paths))]


def _single_id_match(coll: Collection, spec: Any, paths: set[str] | None) -> list[Doc] | None:
    """The ``_id`` fast path for a filter pinned to one ``_id`` value (one candidate keeps the
    collection's order trivially), or None to scan."""
    ids = fastpaths._id_candidates(spec)
    if ids is None or len(ids) != 1:
        return None
    value = ids[0]
    if isinstance(value, float) and value != value:
        return None
    try:
        doc = coll._store._documents.get(fastpaths.store_key(value))
    except TypeError:
        return None
    if doc is None or not matcher.filter_applies(spec, _match_view(doc, paths)):
        return []
    return [doc]


def _is_count_tail(tail: list[dict[str, Any]]) -> bool:
    """PyMongo's count_documents ends its pipeline with {$group: {_id: 1, n: {$sum: 1}}}."""
    if len(tail) != 1 or set(tail[0]) != {"$group"}:
        return False
    group = tail[0]["$group"]
    return (
        isinstance(group, Mapping)
        and list(group) == ["_id", "n"]
        and type(group["_id"]) is int
        and group["_id"] == 1
        and isinstance(group["n"], Mapping)
        and list(group["n"].items()) == [("$sum", 1)]
        and type(group["n"]["$sum"]) is int
    )


def _lookup_then_unwind_is_one_to_one(
    lookup: Any, unwind: Any, written: set[str], docs: list[Doc]
) -> bool:
    """Whether ``$lookup`` + ``$unwind`` of its result turns each of ``docs`` into exactly one
    document: Beanie's direct-link shape (``foreignField: "_id"``, ``preserveNullAndEmptyArrays``)
    where every document's local value is a single value, which at most one ``_id`` equals."""
    if not isinstance(lookup, Mapping) or set(lookup) != {
        "from",
        "localField",
        "foreignField",
        "as",
    }:
        return False
    if not isinstance(unwind, Mapping) or set(unwind) != {"path", "preserveNullAndEmptyArrays"}:
        return False
    local, target = lookup["localField"], lookup["as"]
    if lookup["foreignField"] != "_id" or not isinstance(local, str) or not isinstance(target, str):
        return False
    if unwind["path"] != f"${target}" or unwind["preserveNullAndEmptyArrays"] is not True:
        return False
    if not local or _root(local) in written:
        return False  # the value is not the stored one
    for doc in docs:
        value = helpers.get_value_by_dot(doc, local, can_generate_array=True)
        # A list becomes {$in: list}, a document or a regex may be an operator or a pattern:
        # any of them can match several foreign documents.
        if isinstance(value, (list, tuple, Mapping)) or hasattr(value, "pattern"):
            return False
    return True


def _one_to_one(stages: list[dict[str, Any]], docs: list[Doc]) -> set[str] | None:
    """The fields ``stages`` (per-document stages) write, when they turn each of ``docs`` into
    exactly one document, in order; None when they may drop or multiply documents."""
    written: set[str] = set()
    position = 0
    while position < len(stages):
        ((name, options),) = stages[position].items()
        touched = _written_roots(stages[position])
        if touched is None or name == "$unwind":
            return None
        if name == "$lookup" and position + 1 < len(stages) and "$unwind" in stages[position + 1]:
            unwind = stages[position + 1]["$unwind"]
            if not _lookup_then_unwind_is_one_to_one(options, unwind, written, docs):
                return None
            position += 1
        written |= touched
        position += 1
    return written


def _per_document_prefix(tail: list[dict[str, Any]]) -> int:
    """How many stages at the start of ``tail`` are per-document stages."""
    for position, stage in enumerate(tail):
        if _written_roots(stage) is None:
            return position
    return len(tail)


def aggregate(coll: Collection, pipeline: list[dict[str, Any]]) -> list[Doc]:
    """``list(coll.aggregate(pipeline))``, copying only the documents the leading
    ``$match``/``$sort``/``$skip``/``$limit`` stages let through."""
    if not _plain(coll):
        return list(coll.aggregate(pipeline))
    database = coll.database
    pipeline = hoist_matches(pipeline)
    docs: list[Doc] | None = None  # None: the whole collection, not read yet
    position = 0
    while position < len(pipeline):
        ((name, options),) = pipeline[position].items()
        if name not in _LEADING_STAGES:
            break
        if docs is None and name != "$match":
            docs = list(coll._store.documents)
        if name == "$match":
            docs = _match(coll, docs, options, database)
        elif name == "$sort":
            docs = _sort_stage(docs, options, database)  # type: ignore[arg-type]
        else:
            docs = _handler(name)(docs, database, options, None)
        position += 1
    if docs is None:
        docs = list(coll._store.documents)
    tail = pipeline[position:]

    # Per-document stages that keep one document per document (Beanie's fetch_links lookups)
    # followed by $sort/$skip/$limit: sort and page first when the sort reads no field they
    # write; the page is then all that is copied and looked up.
    prefix_len = _per_document_prefix(tail)
    prefix, after = tail[:prefix_len], tail[prefix_len:]
    written = _one_to_one(prefix, docs) if prefix and after else None
    if written is not None:
        moved = 0
        for stage in after:
            ((name, options),) = stage.items()
            if name not in ("$sort", "$skip", "$limit"):
                break
            if name == "$sort" and (
                not isinstance(options, Mapping)
                or any(not isinstance(k, str) or _root(k) in written for k in options)
            ):
                break
            if name == "$sort":
                docs = _sort_stage(docs, options, database)
            else:
                docs = _handler(name)(docs, database, options, None)
            moved += 1
        after = after[moved:]
        if _is_count_tail(after) or (len(after) == 1 and set(after[0]) == {"$count"}):
            # One document per document: the count does not need them. The stages still
            # check their options, as they would have.
            mm_aggregate.process_pipeline([], database, prefix, None)
            tail = after
        else:
            tail = prefix + after

    if _is_count_tail(tail):
        # What _handle_group_stage makes of it: no document for no input, else one.
        return [{"n": len(docs), "_id": 1}] if docs else []
    if len(tail) == 1 and set(tail[0]) == {"$count"}:
        # $count only measures its input.
        return _handler("$count")(docs, database, tail[0]["$count"], None)
    if not tail:
        return [_copy(coll, doc, None, {}) for doc in docs]  # type: ignore[misc]
    # Only what the rest of the pipeline reads is copied, when that is known (see reads).
    paths = reads.tail_paths(tail)
    sources = docs if paths is None else [reads.pruned(doc, paths) for doc in docs]
    copies = [_copy(coll, doc, None, {}) for doc in sources]
    return list(mm_aggregate.process_pipeline(copies, database, tail, None))
