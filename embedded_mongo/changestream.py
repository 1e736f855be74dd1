"""Change-stream cursors: ``aggregate`` with a leading ``$changeStream`` stage, paged by getMore."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Mapping
from typing import Any

from bson.timestamp import Timestamp
from mongomock_ng import aggregate as mm_aggregate
from mongomock_ng.filtering import filter_applies

from .changes import INVALIDATE_FLAG, Event, History, make_token
from .cursors import MAX_BATCH_BYTES, encoded
from .errors import CommandError
from .store import UNSUPPORTED_STAGES, Store, refuse_unsupported_operators

ALLOWED_STAGES = {
    "$match",
    "$project",
    "$addFields",
    "$set",
    "$unset",
    "$replaceRoot",
    "$replaceWith",
    "$redact",
}
FULL_DOCUMENT_MODES = {"default", "updateLookup", "whenAvailable", "required"}
BEFORE_MODES = {"off", "whenAvailable", "required"}
DEFAULT_AWAIT_SECONDS = 1.0
# Events only streams opened with showExpandedEvents see.
EXPANDED_ONLY = {"create", "createIndexes", "dropIndexes", "modify"}


class ChangeStreamCursor:
    def __init__(
        self,
        *,
        store: Store,
        history: History,
        ns: str,
        db: str,
        coll: str | None,
        cluster_wide: bool,
        spec: dict[str, Any],
        pipeline: list[dict[str, Any]],
    ) -> None:
        self.id: Any = 0
        self.ns = ns
        self.store = store
        self.history = history
        self.db = db
        self.coll = coll
        self.cluster_wide = cluster_wide
        self.pipeline = pipeline
        self.touched = time.monotonic()
        self.exhausted = False
        self.full_document = spec.get("fullDocument", "default")
        self.before = spec.get("fullDocumentBeforeChange", "off")
        if self.full_document not in FULL_DOCUMENT_MODES:
            raise CommandError(2, f"unknown fullDocument mode: {self.full_document}")
        if self.before not in BEFORE_MODES:
            raise CommandError(2, f"unknown fullDocumentBeforeChange mode: {self.before}")
        self.expanded = bool(spec.get("showExpandedEvents"))
        for stage in pipeline:
            name = next(iter(stage), "")
            if name not in mm_aggregate._PIPELINE_HANDLERS and name not in UNSUPPORTED_STAGES:
                raise CommandError(40324, f"Unrecognized pipeline stage name: '{name}'")
            if name not in ALLOWED_STAGES:
                raise CommandError(20, f"Stage {name} is not permitted in a $changeStream pipeline")
        refuse_unsupported_operators(pipeline, "a change stream pipeline")
        self.min_time: Timestamp | None = None
        starts = [k for k in ("resumeAfter", "startAfter", "startAtOperationTime") if k in spec]
        if len(starts) > 1:
            raise CommandError(
                40674, "Only one type of resume option is allowed, but multiple were found."
            )
        if "resumeAfter" in spec:
            self.pos = history.start_after_token(spec["resumeAfter"], allow_invalidate=False)
        elif "startAfter" in spec:
            self.pos = history.start_after_token(spec["startAfter"], allow_invalidate=True)
        elif "startAtOperationTime" in spec:
            ts = spec["startAtOperationTime"]
            if not isinstance(ts, Timestamp):
                raise CommandError(14, "startAtOperationTime must be a Timestamp")
            self.pos = history.start_at_time(ts)
            self.min_time = ts
        else:
            self.pos = history.last_seq
        self.pending_invalidate: dict[str, Any] | None = None
        matches = [stage["$match"] for stage in pipeline if "$match" in stage]
        self._match_only = matches if len(matches) == len(pipeline) else None

    @property
    def resume_token(self) -> dict[str, str]:
        return make_token(self.history.epoch, self.pos)

    def _watches(self, event: Event) -> bool:
        if event.op in EXPANDED_ONLY and not self.expanded:
            return False
        if self.cluster_wide:
            return event.db not in ("admin", "config", "local")
        if event.db != self.db:
            return False
        return self.coll is None or event.coll == self.coll or event.op == "dropDatabase"

    def _invalidates(self, event: Event) -> bool:
        if self.cluster_wide:
            return False
        if self.coll is None:
            return event.op == "dropDatabase"
        return event.op in ("drop", "dropDatabase", "rename")

    def _render(self, event: Event) -> dict[str, Any]:
        """The change event document. It shares sub-documents with the history, which is never
        modified, so nothing is copied: the batch is encoded and dropped."""
        doc: dict[str, Any] = {
            "_id": make_token(self.history.epoch, event.seq),
            "operationType": event.op,
            "clusterTime": event.time,
            "wallTime": event.wall,
        }
        doc["ns"] = {"db": event.db} if event.coll is None else {"db": event.db, "coll": event.coll}
        if self.expanded and event.uuid is not None:
            doc["collectionUUID"] = event.uuid
        if event.op in ("insert", "update", "replace", "delete"):
            doc["documentKey"] = {"_id": event.key}
        if event.op == "rename":
            doc["to"] = event.to
        if self.expanded and event.description is not None:
            doc["operationDescription"] = event.description
        if event.op in ("insert", "replace"):
            doc["fullDocument"] = event.doc
        elif event.op == "update":
            doc["updateDescription"] = self._update_description(event.update_description())
            if self.full_document == "updateLookup":
                doc["fullDocument"] = self.store.coll(event.db, event.coll or "").find_one(
                    {"_id": event.key}
                )
            elif self.full_document in ("whenAvailable", "required"):
                if event.post is None and self.full_document == "required":
                    raise CommandError(
                        280,
                        "Change stream was configured to require a post-image for all "
                        "update events, but the post-image was not found.",
                    )
                doc["fullDocument"] = event.post
        if event.op in ("update", "replace", "delete") and self.before != "off":
            if event.pre is None and self.before == "required":
                raise CommandError(
                    280,
                    "Change stream was configured to require a pre-image for all update, "
                    "delete and replace events, but the pre-image was not found.",
                )
            doc["fullDocumentBeforeChange"] = event.pre
        return doc

    def _update_description(self, update: dict[str, Any]) -> dict[str, Any]:
        """disambiguatedPaths is sent to expanded streams only, and only when not empty."""
        if self.expanded and update.get("disambiguatedPaths"):
            return update
        return {k: v for k, v in update.items() if k != "disambiguatedPaths"}

    def _apply_pipeline(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        result = self._run_pipeline(doc)
        if result is not None and result.get("_id") != doc["_id"]:
            raise CommandError(
                280,
                "Encountered an event whose _id field, which contains the resume token, was "
                "modified by the pipeline. Modifying the _id field of an event makes it "
                "impossible to resume the stream from that point. Only transformations that "
                "retain the unmodified _id field are allowed.",
            )
        return result

    def _run_pipeline(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        if not self.pipeline:
            return doc
        if self._match_only:
            # The common case (filtering by namespace or operation): test the event in place
            # instead of copying it, full documents and all, through the aggregation engine.
            return doc if all(filter_applies(m, doc) for m in self._match_only) else None
        database = self.store.client[self.db]
        # Rendered events share sub-documents with the history (they are only encoded); a
        # pipeline might modify them in place, so it gets its own copy.
        # process_pipeline returns a CommandCursor, not a list.
        cursor = mm_aggregate.process_pipeline([copy.deepcopy(doc)], database, self.pipeline, None)
        return next(iter(cursor), None)

    def collect(self, count: int) -> list[Mapping[str, Any]]:
        batch: list[Mapping[str, Any]] = []
        size = 0
        if self.pending_invalidate is not None:
            batch.append(self.pending_invalidate)
            self.pending_invalidate = None
            self.exhausted = True
            return batch
        for event in self.history.since(self.pos):
            if count and len(batch) >= count:
                break
            # Events before startAtOperationTime never reach the stream, even when the time
            # lies in the future and they are written later.
            too_early = self.min_time is not None and event.time < self.min_time
            if too_early or not self._watches(event):
                self.pos = event.seq
                continue
            rendered = self._apply_pipeline(self._render(event))
            if rendered is not None:
                raw = encoded(rendered)
                if batch and size + len(raw.raw) > MAX_BATCH_BYTES:
                    break
                batch.append(raw)
                size += len(raw.raw)
            self.pos = event.seq
            if self._invalidates(event):
                invalidate = {
                    "_id": make_token(self.history.epoch, event.seq, INVALIDATE_FLAG),
                    "operationType": "invalidate",
                    "clusterTime": event.time,
                    "wallTime": event.wall,
                }
                if count and len(batch) >= count:
                    self.pending_invalidate = invalidate
                else:
                    batch.append(invalidate)
                    self.exhausted = True
                break
        return batch

    async def next_batch(self, count: int, max_time_ms: int | None) -> list[Mapping[str, Any]]:
        batch = self.collect(count)
        if batch or self.exhausted:
            return batch
        timeout = DEFAULT_AWAIT_SECONDS if max_time_ms is None else max_time_ms / 1000
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            # An empty collect() scanned everything, so self.pos is the newest sequence number.
            await self.history.wait(self.pos, remaining)
            batch = self.collect(count)
            if batch or self.exhausted:
                return batch
