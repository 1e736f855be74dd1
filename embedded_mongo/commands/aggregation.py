"""aggregate: pipelines over a collection, database-level source stages ($documents,
$listLocalSessions) and change streams ($changeStream)."""

from __future__ import annotations

from typing import Any

from bson.binary import Binary
from bson.int64 import Int64

from ..changestream import ChangeStreamCursor
from ..errors import CommandError, not_supported
from ..outputs import OUTPUT_STAGES, documents_stage
from ..variables import bind_pipeline, evaluate_let
from . import Context, command, cursor_reply, refuse_collation

# The SHA-256 of the empty user name: sessions of a server without authentication.
NO_USER = Binary(bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))


@command("aggregate")
def aggregate(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    target = cmd["aggregate"]
    pipeline = cmd.get("pipeline")
    if not isinstance(pipeline, list):
        raise CommandError(14, "'pipeline' option must be specified as an array")
    if cmd.get("explain"):
        raise not_supported("explain")
    refuse_collation(cmd)
    if "cursor" not in cmd:
        raise CommandError(9, "The 'cursor' option is required")
    batch_size = (cmd.get("cursor") or {}).get("batchSize")
    name = target if isinstance(target, str) else None
    if pipeline and isinstance(pipeline[0], dict) and "$changeStream" in pipeline[0]:
        return _open_change_stream(ctx, db, name, pipeline, batch_size)
    pipeline = bind_pipeline(pipeline, evaluate_let(cmd.get("let")))
    level = (cmd.get("readConcern") or {}).get("level")
    if level == "linearizable" and any(next(iter(s), "") in OUTPUT_STAGES for s in pipeline):
        raise CommandError(72, "$out and $merge cannot be used with a 'linearizable' read concern")
    if name is None and pipeline and "$listLocalSessions" in pipeline[0]:
        docs = ctx.state.store.aggregate_over(db, _local_sessions(ctx), pipeline[1:])
    elif name is None and pipeline and "$documents" in pipeline[0]:
        source = documents_stage(pipeline[0]["$documents"])
        docs = ctx.state.store.aggregate_over(db, source, pipeline[1:])
    else:
        docs = ctx.state.store.aggregate(db, name, pipeline)
    ns = f"{db}.{name}" if name else f"{db}.$cmd.aggregate"
    return cursor_reply(ctx, ns, docs, batch_size=batch_size)


def _local_sessions(ctx: Context) -> list[dict[str, Any]]:
    """``$listLocalSessions``: the sessions this server saw in use, oldest first."""
    return [
        {"_id": {"id": Binary(key, 4), "uid": NO_USER}, "lastUse": last_use}
        for key, last_use in ctx.state.sessions.items()
    ]


def _open_change_stream(
    ctx: Context, db: str, name: str | None, pipeline: list[dict], batch_size: int | None
) -> dict[str, Any]:
    state = ctx.state
    if state.replica_set is None:
        raise CommandError(40573, "The $changeStream stage is only supported on replica sets")
    spec = pipeline[0]["$changeStream"] or {}
    cluster_wide = bool(spec.get("allChangesForCluster"))
    if cluster_wide and (db != "admin" or name is not None):
        raise CommandError(
            73, "$changeStream with allChangesForCluster must run against the admin database"
        )
    if not cluster_wide and db == "admin" and name is None:
        raise CommandError(73, "$changeStream may not be opened on the internal admin database")
    ns = f"{db}.{name}" if name else f"{db}.$cmd.aggregate"
    stream = ChangeStreamCursor(
        store=state.store,
        history=state.history,
        ns=ns,
        db=db,
        coll=name,
        cluster_wide=cluster_wide,
        spec={k: v for k, v in spec.items() if k != "allChangesForCluster"},
        pipeline=pipeline[1:],
    )
    count = 101 if batch_size is None else batch_size
    first = stream.collect(count) if count else []
    cursor_id: Any = Int64(0)
    if not stream.exhausted:
        cursor_id = state.cursors.register(stream)
    return {
        "cursor": {
            "firstBatch": first,
            "id": cursor_id,
            "ns": ns,
            "postBatchResumeToken": stream.resume_token,
        }
    }
