"""Sorting test outcomes: read pytest's JUnit XML and judge each test against the known
refusals (``known_refusals.toml``)."""

from __future__ import annotations

import fnmatch
import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from . import timeouts

KNOWN_REFUSALS = Path(__file__).with_name("known_refusals.toml")
# How a refusal (code 115, CommandNotSupported) shows in a failure's message or traceback.
REFUSAL = re.compile(
    r"CommandNotSupported|'code': 115\b|code 115\b|is not supported by the embedded"
)


@dataclass
class Outcome:
    test: str  # "Class::method"
    status: str  # passed | skipped | failed
    message: str = ""
    text: str = ""


@dataclass
class Tally:
    passed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    wrong: list[Outcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unlisted_refusals: list[Outcome] = field(default_factory=list)
    stale_entries: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(
            len(x) for x in (self.passed, self.refused, self.failed, self.wrong, self.skipped)
        )

    def line(self, label: str) -> str:
        return (
            f"{label}: {len(self.passed)} passed, {len(self.refused)} refused, "
            f"{len(self.failed)} failed, {len(self.wrong)} silently wrong, "
            f"{len(self.skipped)} skipped of {self.total}"
        )


def read_junit(path: Path) -> list[Outcome]:
    outcomes = []
    for case in ET.parse(path).getroot().iter("testcase"):
        test = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name', '')}"
        status, message, text = "passed", "", ""
        for child in case:
            if child.tag in ("failure", "error"):
                status = "failed"
                message, text = child.get("message", ""), child.text or ""
                break
            if child.tag == "skipped":
                status = "skipped"
                message = child.get("message", "")
        outcomes.append(Outcome(test, status, message, text))
    return outcomes


def known_refusals(suite: str, path: Path = KNOWN_REFUSALS) -> dict[str, str]:
    """Test-id patterns (fnmatch) → the reason the embedded server refuses them."""
    with path.open("rb") as fh:
        table: dict[str, str] = tomllib.load(fh).get(suite, {})
    return table


def judge(outcomes: list[Outcome], refusals: dict[str, str]) -> Tally:
    """Passed and skipped as pytest says. A failure caused by a refusal (code 115) counts as
    refused when the test is listed, else as failed (and is reported as unlisted); any other
    assertion failure (or a wait for an answer that never came) is a silently wrong answer;
    any other exception a failure."""
    tally = Tally()
    used: set[str] = set()
    for outcome in outcomes:
        listed = [p for p in refusals if fnmatch.fnmatchcase(outcome.test, p)]
        if outcome.status == "passed":
            tally.passed.append(outcome.test)
        elif outcome.status == "skipped":
            tally.skipped.append(outcome.test)
        elif REFUSAL.search(outcome.message) or REFUSAL.search(outcome.text):
            if listed:
                used.update(listed)
                tally.refused.append(outcome.test)
            else:
                tally.failed.append(outcome)
                tally.unlisted_refusals.append(outcome)
        elif outcome.message.startswith("AssertionError") or timeouts.MARKER in outcome.message:
            tally.wrong.append(outcome)
        else:
            tally.failed.append(outcome)
    tally.stale_entries = sorted(set(refusals) - used)
    return tally
