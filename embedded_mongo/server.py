"""The asyncio TCP server: reads wire-protocol messages, dispatches commands, writes replies."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import threading
from pathlib import Path
from typing import Any

from .changes import History
from .commands import REGISTRY, Context, ServerState, load_all, options
from .errors import CommandError, to_command_error
from .persistence import Snapshotter
from .store import Store
from .wire import (
    HEADER,
    MAX_MESSAGE_SIZE,
    ProtocolError,
    Request,
    encode_reply,
    parse_message,
)

log = logging.getLogger("embedded_mongo")
load_all()

# Fields every command may carry that the server accepts and ignores.
IGNORED_FIELDS = ("$db", "lsid", "$clusterTime", "$readPreference", "txnNumber", "apiVersion")
# Updates are described for change streams when no command came for IDLE_SECONDS, in slices
# of about DESCRIBE_SECONDS, so that a client never waits for it (or when first read).
IDLE_SECONDS = 0.002
DESCRIBE_SECONDS = 0.001


class EmbeddedMongoServer:
    """A MongoDB-compatible server for tests and trials. Never for production data.

    ``replica_set=None`` makes it answer as a standalone server (no change streams).
    With ``data_dir`` the data survives restarts: a snapshot is written atomically every
    ``snapshot_interval`` seconds when something changed, and on clean shutdown, so a crash
    loses at most the writes of the last interval.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        replica_set: str | None = "rs0",
        data_dir: str | Path | None = None,
        snapshot_interval: float = 5.0,
        history_size: int = 100_000,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the embedded server only listens on loopback addresses")
        self.host = host
        self.port = port
        history = History(max_events=history_size)
        self.state = ServerState(store=Store(history), history=history, replica_set=replica_set)
        self.snapshotter = (
            Snapshotter(Path(data_dir), self.state, snapshot_interval) if data_dir else None
        )
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._reaper: asyncio.Task[None] | None = None
        self._reply_id = 0
        self._last_command = 0.0  # the event loop's time
        self._describing: asyncio.TimerHandle | asyncio.Handle | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self.snapshotter is not None:
            self.snapshotter.load()
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        ports = [sock.getsockname()[1] for sock in self._server.sockets]
        if len(set(ports)) > 1:
            # "localhost" may bind 127.0.0.1 and ::1; with port 0 each got its own port, and a
            # client resolving to the other family would miss the server. Rebind on one port.
            self._server.close()
            await self._server.wait_closed()
            self._server = await asyncio.start_server(self._serve, self.host, ports[0])
        self.port = self._server.sockets[0].getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host  # IPv6 literals need brackets
        self.state.address = f"{host}:{self.port}"
        self._reaper = asyncio.create_task(self._reap_cursors())
        if self.snapshotter is not None:
            self.snapshotter.start()
        log.info("embedded MongoDB-compatible server listening on %s", self.state.address)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._reaper is not None:
            self._reaper.cancel()
        if self._describing is not None:
            self._describing.cancel()
            self._describing = None
        if self.snapshotter is not None:
            await self.snapshotter.stop()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    @property
    def uri(self) -> str:
        suffix = f"/?replicaSet={self.state.replica_set}" if self.state.replica_set else "/"
        return f"mongodb://{self.state.address}{suffix}"

    async def _reap_cursors(self) -> None:
        while True:
            await asyncio.sleep(60)
            self.state.cursors.reap_idle()

    # -- work left for idle time -------------------------------------------------------------
    def _describe_when_idle(self) -> None:
        """Describe waiting updates once no command came for ``IDLE_SECONDS``."""
        self._describing = None
        loop = asyncio.get_running_loop()
        quiet = loop.time() - self._last_command
        if quiet < IDLE_SECONDS:
            self._describing = loop.call_later(IDLE_SECONDS - quiet, self._describe_when_idle)
        elif self.state.history.describe_pending(DESCRIBE_SECONDS):
            # A slice at a time: a command that arrives meanwhile goes first.
            self._describing = loop.call_soon(self._describe_when_idle)

    def _command_done(self) -> None:
        loop = asyncio.get_running_loop()
        self._last_command = loop.time()
        if self._describing is None and self.state.history.undescribed:
            self._describing = loop.call_later(IDLE_SECONDS, self._describe_when_idle)

    # -- connections -------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        connection_id = self.state.next_connection_id
        self.state.next_connection_id += 1
        ctx = Context(self.state, connection_id)
        try:
            while True:
                header = await reader.readexactly(HEADER.size)
                length, request_id, _, op_code = HEADER.unpack(header)
                if length < HEADER.size or length > MAX_MESSAGE_SIZE:
                    raise ProtocolError(f"bad message length {length}")
                body = await reader.readexactly(length - HEADER.size)
                request = parse_message(request_id, op_code, body)
                reply = await self.execute(ctx, request.command)
                self._command_done()
                if request.more_to_come:
                    continue  # unacknowledged write: the client expects no reply
                self._reply_id += 1
                writer.write(self._encode(request, reply, self._reply_id))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        except ProtocolError as exc:
            log.warning("closing connection %s: %s", connection_id, exc)
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    def _encode(self, request: Request, reply: dict[str, Any], reply_id: int) -> bytes:
        """Encode a reply; one that cannot be encoded becomes an error reply, so the client gets
        an answer on the same connection instead of a dropped socket."""
        try:
            return encode_reply(request, reply, reply_id)
        except Exception as exc:
            log.exception("could not encode the reply to %r", request.command)
            error = CommandError(1, f"internal error: the reply could not be encoded: {exc}")
            fallback = error.to_reply()
            if "operationTime" in reply:
                fallback["operationTime"] = reply["operationTime"]
            return encode_reply(request, fallback, reply_id)

    async def execute(self, ctx: Context, cmd: dict[str, Any]) -> dict[str, Any]:
        """Run one command document; always returns a reply, errors included."""
        db = cmd.get("$db", "admin")
        try:
            if not cmd:
                raise CommandError(59, "no such command: ''")
            name = next(iter(cmd))
            handler = REGISTRY.get(name.lower())
            if handler is None:
                raise CommandError(59, f"no such command: '{name}'")
            if cmd.get("startTransaction") or cmd.get("autocommit") is False:
                raise CommandError(
                    115,
                    "Transactions are not supported by the embedded MongoDB-compatible server "
                    "(it is a stand-in for tests and trials; use a real MongoDB replica set)",
                )
            self.state.session_used(cmd.get("lsid"))
            options.check(name, cmd)
            result = handler(ctx, cmd, db)
            if inspect.isawaitable(result):
                result = await result
            reply = dict(result)
            reply["ok"] = 1.0
            concern_error = options.write_concern_error(cmd)
            if concern_error is not None:
                reply["writeConcernError"] = concern_error
        except Exception as exc:  # a bad command must never drop the connection
            error = to_command_error(exc)
            if error.code == 1:
                log.exception("internal error running %r", cmd)
            reply = error.to_reply()
        if self.state.replica_set is not None:
            reply["operationTime"] = self.state.history.operation_time
        return reply


class ServerThread:
    """Runs an :class:`EmbeddedMongoServer` on its own event loop in a daemon thread."""

    def __init__(self, **options: Any) -> None:
        self.server = EmbeddedMongoServer(**options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="embedded-mongo", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self.server.start())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> ServerThread:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    @property
    def uri(self) -> str:
        return self.server.uri

    def call(self, func: Any) -> Any:
        """Run ``func(server)`` on the server's loop and return its result (for tests)."""

        async def runner() -> Any:
            return func(self.server)

        return asyncio.run_coroutine_threadsafe(runner(), self._loop).result()

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
