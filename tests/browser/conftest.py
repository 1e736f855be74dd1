"""Browser tests: the real app in a subprocess, driven by Debian's Chromium through Playwright.

The app runs with uvicorn on a free loopback port (``tests/browser/app_server.py``) against the
session's database server, in a fresh database seeded with a small demo school. Chromium is the
system one at ``/usr/bin/chromium`` (``make test`` installs it as root); Playwright never
downloads a browser. Without it the tests are skipped, except in CI (``CI=true``), where a
missing browser is a failure.

Every request to a non-loopback address is aborted, so the tests never touch the network.
Screenshots of each step go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    SCREENSHOTS,
    START_TIMEOUT,
    STUDENTS,
    Pages,
    School,
    browser_problem,
    in_ci,
)


@pytest.fixture(scope="session")
def browser_available() -> None:
    problem = browser_problem()
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"browser tests cannot run in CI: {problem}", pytrace=False)
    pytest.skip(f"browser tests skipped: {problem}")


def _wait_for_report(process: subprocess.Popen[bytes], report: Path, log: Path) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if report.exists():
            return json.loads(report.read_text(encoding="utf-8"))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else ""
    raise RuntimeError(f"the app under test did not start (exit {process.poll()}):\n{tail}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def school(
    browser_available: None, mongo_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[School]:
    """A seeded demo school in a fresh database, served by the real app in development mode."""
    db_name = f"hocba_browser_{secrets.token_hex(4)}"
    work = tmp_path_factory.mktemp("browser_app")
    report, log = work / "report.json", work / "app.log"
    env = {**os.environ, "ENV": "development", "PYTHONUNBUFFERED": "1"}
    env.pop("MONGODB_URI", None)  # the server script is told the URI explicitly
    command = [
        sys.executable,
        "-m",
        "tests.browser.app_server",
        "--mongo-uri",
        mongo_uri,
        "--db",
        db_name,
        "--students",
        str(STUDENTS),
        "--report",
        str(report),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    client: MongoClient = MongoClient(mongo_uri, uuidRepresentation="standard")
    try:
        info = _wait_for_report(process, report, log)
        yield School(
            base_url=f"http://127.0.0.1:{info['port']}",
            db=client[db_name],
            passwords=info["users"],
            process=process,
            log=log,
        )
    finally:
        _stop(process)
        client.drop_database(db_name)
        client.close()


@pytest.fixture(scope="session")
async def browser(browser_available: None) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def pages(
    browser: Any, school: School, request: pytest.FixtureRequest
) -> AsyncIterator[Pages]:
    helper = Pages(browser, school, request.node.name)
    for old in SCREENSHOTS.glob(f"{helper.prefix}-*.png"):
        old.unlink()
    yield helper
    await helper.close()
