"""A pytest plugin loaded into PyMongo's test run: a test still running after ``LIMIT_SECONDS``
fails instead of hanging the run (iterating a change stream whose event never comes blocks
forever). Such a test waited for an answer the server never gave: it counts as silently wrong."""

from __future__ import annotations

import signal
from collections.abc import Generator
from types import FrameType
from typing import Any

import pytest

LIMIT_SECONDS = 20
MARKER = "did not finish within"


class TestTimeout(Exception):
    """Raised in the test's thread when it runs past the limit."""


def _expire(signum: int, frame: FrameType | None) -> None:
    raise TestTimeout(f"the test {MARKER} {LIMIT_SECONDS} s")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.alarm(LIMIT_SECONDS)
    try:
        return (yield)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
