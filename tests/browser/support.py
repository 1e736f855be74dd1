"""Shared pieces of the browser tests: where Chromium is, the running school, page helpers."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo.database import Database

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# Smallest demo school with two classes per grade (more than 4 × 32.5 pupils): subject
# teachers then split the classes, so some teacher does not teach a given class. With 60
# pupils (one class per grade) every subject teacher teaches every class.
STUDENTS = 140
START_TIMEOUT = 60.0
STEP_TIMEOUT_MS = 30_000  # generous: a role save computes its impact for every account
# Loopback addresses skip the proxy (Chromium never proxies them); everything else is sent to
# a proxy that refuses every connection (see the browser fixture).
PROXY_BYPASS = "127.0.0.1,localhost,[::1]"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def browser_problem() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed (make test installs it)"
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing: run `make test` as root (it installs Debian's chromium) "
            "or `sudo apt-get install chromium fonts-noto-core`"
        )
    return None


@dataclass
class School:
    """The running app and what the tests need to know about its demo school."""

    base_url: str
    db: Database
    passwords: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path


class Pages:
    """Opens one browser context per signed-in user; saves numbered screenshots per test."""

    def __init__(self, browser: Any, school: School, test_name: str) -> None:
        self.browser = browser
        self.school = school
        self.prefix = re.sub(r"[^a-z0-9_]+", "_", test_name.lower()).strip("_")
        self.step = 0
        self.contexts: list[Any] = []

    async def new_page(self, locale: str = "vi-VN") -> Any:
        # A Vietnamese browser by default, as the school's PCs are; the panel is Vietnamese
        # whatever the browser asks for (tests with "en-US" check that).
        context = await self.browser.new_context(
            locale=locale,
            timezone_id="Asia/Ho_Chi_Minh",
            viewport={"width": 1280, "height": 900},
        )
        return await self.page_in(context)

    async def page_in(self, context: Any) -> Any:
        """A page of a context opened by a test, closed with the others at its end."""
        context.set_default_timeout(STEP_TIMEOUT_MS)
        self.contexts.append(context)
        return await context.new_page()

    async def login(self, username: str, locale: str = "vi-VN") -> Any:
        page = await self.new_page(locale)
        await page.goto(self.school.url("/login"))
        await page.fill("input[name=username]", username)
        await page.fill("input[name=password]", self.school.passwords[username])
        await page.click("button[type=submit]")
        await page.wait_for_url(lambda url: "/login" not in url)
        # The account page, then into the panel the way staff do.
        await page.get_by_role("link", name="Vào trang quản lý học bạ").click()
        await page.wait_for_url(lambda url: "/admin" in url)
        return page

    async def shot(self, page: Any, label: str, *, full_page: bool = True) -> Path:
        self.step += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.prefix}-{self.step:02d}-{label}.png"
        await page.screenshot(path=str(path), full_page=full_page)
        return path

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()
