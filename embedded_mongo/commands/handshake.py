"""Handshake and server-information commands."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from ..errors import CommandError
from . import Context, command

VERSION = "7.0.0"
STARTED = time.monotonic()


@command("hello", "isMaster", "ismaster")
def hello(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    state = ctx.state
    reply: dict[str, Any] = {
        "helloOk": True,
        "isWritablePrimary": True,
        "ismaster": True,
        "maxBsonObjectSize": 16 * 1024 * 1024,
        "maxMessageSizeBytes": 48_000_000,
        "maxWriteBatchSize": 100_000,
        "localTime": datetime.now(UTC).replace(tzinfo=None),
        "logicalSessionTimeoutMinutes": 30,
        "connectionId": ctx.connection_id,
        "minWireVersion": 0,
        "maxWireVersion": 21,
        "readOnly": False,
    }
    if state.replica_set is not None:
        reply.update(
            setName=state.replica_set,
            setVersion=1,
            hosts=[state.address],
            primary=state.address,
            me=state.address,
            secondary=False,
            electionId=state.election_id,
            lastWrite={
                "opTime": {"ts": state.history.operation_time, "t": 1},
                "lastWriteDate": datetime.now(UTC).replace(tzinfo=None),
            },
        )
    if cmd.get("speculativeAuthenticate") or cmd.get("saslSupportedMechs"):
        # No authentication: the server only listens on loopback for tests and trials.
        reply["saslSupportedMechs"] = []
    return reply


@command("ping")
def ping(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    return {}


@command("buildInfo", "buildinfo")
def build_info(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    return {
        "version": VERSION,
        "gitVersion": "embedded",
        "versionArray": [7, 0, 0, 0],
        "bits": 64,
        "maxBsonObjectSize": 16 * 1024 * 1024,
        "storageEngines": ["embedded"],
        "modules": [],
    }


# The server parameters a client may read; test commands (fail points) do not exist here.
PARAMETERS: dict[str, Any] = {
    "featureCompatibilityVersion": {"version": "7.0"},
    "enableTestCommands": False,
    "authenticationMechanisms": [],
    "requireApiVersion": False,
}


@command("getParameter")
def get_parameter(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    if cmd.get("getParameter") == "*":
        return dict(PARAMETERS)
    asked = [k for k in cmd if k in PARAMETERS]
    return {k: PARAMETERS[k] for k in asked or ["featureCompatibilityVersion"]}


@command("getCmdLineOpts")
def get_cmd_line_opts(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    state = ctx.state
    host, _, port = state.address.rpartition(":")
    parsed: dict[str, Any] = {"net": {"bindIp": host.strip("[]"), "port": int(port)}}
    if state.replica_set is not None:
        parsed["replication"] = {"replSet": state.replica_set}
    return {"argv": ["embedded_mongo"], "parsed": parsed}


@command("serverStatus")
def server_status(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    state = ctx.state
    return {
        "host": state.address,
        "version": VERSION,
        "process": "embedded_mongo",
        "uptime": time.monotonic() - STARTED,
        "localTime": datetime.now(UTC).replace(tzinfo=None),
        "storageEngine": {"name": "embedded", "supportsCommittedReads": True},
    }


@command("connectionStatus")
def connection_status(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    return {"authInfo": {"authenticatedUsers": [], "authenticatedUserRoles": []}}


@command("replSetGetStatus")
def repl_set_get_status(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    state = ctx.state
    if state.replica_set is None:
        raise CommandError(76, "not running with --replSet")
    return {
        "set": state.replica_set,
        "myState": 1,
        "members": [{"_id": 0, "name": state.address, "stateStr": "PRIMARY", "health": 1}],
    }


@command("endSessions", "refreshSessions", "startSession")
def sessions(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    return {}


@command("startTransaction", "commitTransaction", "abortTransaction")
def transactions(ctx: Context, cmd: dict[str, Any], db: str) -> dict[str, Any]:
    raise CommandError(
        115,
        "Transactions are not supported by the embedded MongoDB-compatible server "
        "(it is a stand-in for tests and trials; use a real MongoDB replica set)",
    )
