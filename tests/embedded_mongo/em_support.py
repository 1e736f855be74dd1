"""Helpers shared by the embedded server's tests (a plain module: tests/ is not a package)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from pymongo import monitoring
from pymongo.asynchronous.change_stream import AsyncChangeStream

embedded_only = pytest.mark.skipif(
    bool(os.environ.get("MONGODB_URI")),
    reason="exercises the embedded server itself (own instance or internals), not MongoDB",
)


async def next_change(stream: AsyncChangeStream, timeout: float = 5.0) -> dict[str, Any]:
    """The next change event, failing the test if none arrives within ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        change = await stream.try_next()
        if change is not None:
            return change
        if not stream.alive:
            break
    raise AssertionError(f"no change event within {timeout} s")


async def drain(stream: AsyncChangeStream) -> list[dict[str, Any]]:
    """Every event available now: reads until one getMore (max_await) comes back empty."""
    events = []
    while stream.alive:
        change = await stream.try_next()
        if change is None:
            break
        events.append(change)
    return events


class Commands(monitoring.CommandListener):
    """Keeps the commands a client sends and the replies it receives."""

    def __init__(self) -> None:
        self.started_commands: list[tuple[str, dict[str, Any]]] = []
        self.replies: list[tuple[str, dict[str, Any]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.started_commands.append((event.command_name, dict(event.command)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self.replies.append((event.command_name, dict(event.reply)))

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def cursors(self, *names: str) -> list[dict[str, Any]]:
        """The ``cursor`` sub-documents of the replies to the named commands, in order."""
        return [reply["cursor"] for name, reply in self.replies if name in names]

    def sent(self, name: str) -> list[dict[str, Any]]:
        return [cmd for cmd_name, cmd in self.started_commands if cmd_name == name]
