"""The conformance runner's verdicts: refusals only count as such when listed, assertion
failures and endless waits are silently wrong answers, other exceptions are failures."""

from __future__ import annotations

from pathlib import Path

from conformance.outcomes import Outcome, judge, known_refusals, read_junit

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="test.test_crud_unified.TestUnifiedA" name="test_ok"/>
<testcase classname="test.test_crud_unified.TestUnifiedA" name="test_skip">
<skipped message="needs 8.0"/></testcase>
<testcase classname="test.test_crud_unified.TestUnifiedA" name="test_wrong">
<failure message="AssertionError: 1 != 0">trace</failure></testcase>
</testsuite></testsuites>
"""
REFUSED = "pymongo.errors.OperationFailure: Collation is not supported by the embedded server"


def test_outcomes_are_sorted(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT)
    outcomes = [
        *read_junit(junit),
        Outcome("TestUnifiedCollation::test_x", "failed", REFUSED),
        Outcome("TestUnifiedOther::test_y", "failed", REFUSED),
        Outcome(
            "TestUnifiedB::test_hang", "failed", "TestTimeout: the test did not finish within 20 s"
        ),
        Outcome("TestUnifiedB::test_error", "failed", "OperationFailure: code 2"),
    ]
    tally = judge(outcomes, {"TestUnified*Collation::*": "collation", "TestGone::*": "gone"})
    assert tally.passed == ["TestUnifiedA::test_ok"]
    assert tally.skipped == ["TestUnifiedA::test_skip"]
    assert tally.refused == ["TestUnifiedCollation::test_x"]
    assert [o.test for o in tally.wrong] == ["TestUnifiedA::test_wrong", "TestUnifiedB::test_hang"]
    assert [o.test for o in tally.failed] == [
        "TestUnifiedOther::test_y",
        "TestUnifiedB::test_error",
    ]
    assert [o.test for o in tally.unlisted_refusals] == ["TestUnifiedOther::test_y"]
    assert tally.stale_entries == ["TestGone::*"]
    assert tally.line("crud unified") == (
        "crud unified: 1 passed, 1 refused, 2 failed, 2 silently wrong, 1 skipped of 7"
    )


def test_every_listed_refusal_has_a_reason() -> None:
    for suite in ("crud", "change_streams"):
        assert all(reason.strip() for reason in known_refusals(suite).values())
