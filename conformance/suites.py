"""The specification suites, and running one of them against a fresh embedded server."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .outcomes import Outcome, read_junit

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Suite:
    key: str  # table name in known_refusals.toml
    label: str  # as printed in the figures line
    module: str  # PyMongo's test module that generates the unified test classes
    select: str  # pytest -k expression: only the unified tests of that module


SUITES = (
    Suite("crud", "crud unified", "test/test_crud_unified.py", "TestUnified"),
    Suite("change_streams", "change streams", "test/test_change_stream.py", "TestUnified"),
)


@contextmanager
def embedded_server() -> Iterator[tuple[str, int]]:
    """A fresh in-memory embedded server in its own process, on a free loopback port."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "embedded_mongo", "--host", "127.0.0.1", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "listening: mongodb://127.0.0.1:PORT/?replicaSet=rs0"
        if not line.startswith("listening: "):
            raise RuntimeError(f"the embedded server did not start: {line!r}")
        address = line.split("//", 1)[1].split("/", 1)[0]
        host, port = address.rsplit(":", 1)
        yield host, int(port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run(suite: Suite, tree: Path, *, verbose: bool = False) -> list[Outcome]:
    """Run one suite's unified tests (PyMongo's own runner) against a fresh embedded server."""
    with embedded_server() as (host, port), tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        env = {**os.environ, "DB_IP": host, "DB_PORT": str(port), "PYTHONPATH": str(REPO)}
        env.pop("MONGODB_URI", None)
        command = [
            sys.executable,
            "-m",
            "pytest",
            suite.module,
            "-k",
            suite.select,
            "-p",
            "no:cacheprovider",
            "-p",
            "conformance.timeouts",
            f"--junitxml={junit}",
            "-q",
            "--no-header",
            "-o",
            "log_cli_level=CRITICAL",
        ]
        output = None if verbose else subprocess.DEVNULL
        subprocess.run(command, cwd=tree, env=env, stdout=output, stderr=output, check=False)
        if not junit.is_file():
            raise RuntimeError(f"{suite.label}: PyMongo's test runner produced no results")
        return read_junit(junit)
