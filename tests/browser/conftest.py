"""Browser tests: the real app in a subprocess, driven by Debian's Chromium through Playwright.

The app runs with uvicorn on a free loopback port (``tests/browser/app_server.py``) against the
session's database server; each test module gets a fresh copy of a small demo school, seeded
once for the session. Chromium is the system one at ``/usr/bin/chromium`` (``make test``
installs it as root); Playwright never downloads a browser. Without it the tests are skipped,
except in CI (``CI=true``), where a missing browser is a failure.

Every request to a non-loopback address fails (it is sent to a proxy that refuses it, checked
once when the browser starts), so the tests never touch the network.
Screenshots of each step go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
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
    PROXY_BYPASS,
    ROOT,
    SCREENSHOTS,
    START_TIMEOUT,
    STEP_TIMEOUT_MS,
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


def _app_server(
    mongo_uri: str, db_name: str, work: Path, *options: str
) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """``tests/browser/app_server.py`` started on ``db_name``: the process, its report, its log."""
    report, log = work / "report.json", work / "app.log"
    env = {**os.environ, "ENV": "development", "PYTHONUNBUFFERED": "1"}
    env.pop("MONGODB_URI", None)  # the server script is told the URI explicitly
    command = [sys.executable, "-m", "tests.browser.app_server", "--mongo-uri", mongo_uri]
    command += ["--db", db_name, "--report", str(report), *options]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    return process, report, log


@pytest.fixture(scope="session")
def seeded_school(
    browser_available: None, mongo_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """The demo school seeded once for the session (its database and the accounts' passwords);
    each module's school is a copy of it."""
    db_name = f"hocba_browser_seed_{secrets.token_hex(4)}"
    work = tmp_path_factory.mktemp("browser_seed")
    process, report, log = _app_server(
        mongo_uri, db_name, work, "--students", str(STUDENTS), "--seed-only"
    )
    try:
        info = _wait_for_report(process, report, log)
        yield db_name, info["users"]
    finally:
        _stop(process)
        with MongoClient(mongo_uri) as client:
            client.drop_database(db_name)


@pytest.fixture(scope="module")
def school(
    seeded_school: tuple[str, dict[str, str]],
    mongo_uri: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[School]:
    """A fresh copy of the seeded demo school, served by the real app in development mode."""
    seeded, passwords = seeded_school
    db_name = f"hocba_browser_{secrets.token_hex(4)}"
    work = tmp_path_factory.mktemp("browser_app")
    process, report, log = _app_server(mongo_uri, db_name, work, "--copy-of", seeded)
    client: MongoClient = MongoClient(mongo_uri, uuidRepresentation="standard")
    try:
        info = _wait_for_report(process, report, log)
        yield School(
            base_url=f"http://127.0.0.1:{info['port']}",
            db=client[db_name],
            passwords=passwords,
            process=process,
            log=log,
        )
    finally:
        _stop(process)
        client.drop_database(db_name)
        client.close()


@pytest.fixture(scope="session")
def refusing_proxy() -> Iterator[str]:
    """A loopback port bound but never listening: every connection to it is refused at once,
    and nothing else can take the port while the session holds it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="session")
async def browser(browser_available: None, refusing_proxy: str) -> AsyncIterator[Any]:
    from playwright.async_api import Error, async_playwright

    async with async_playwright() as playwright:
        # Requests to other addresses go to the refusing proxy. (Not a route handler that
        # aborts them: routing turns the browser's cache off, and every page would then load
        # and compile the panel's scripts and styles anew.)
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            proxy={"server": refusing_proxy, "bypass": PROXY_BYPASS},
        )
        context = await chromium.new_context()
        page = await context.new_page()
        for address in ("http://192.0.2.1/", "https://rsms.me/inter/inter.css"):
            with pytest.raises(Error, match="ERR_PROXY_CONNECTION_FAILED"):
                await page.goto(address, timeout=STEP_TIMEOUT_MS)
        await context.close()
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
