"""``python -m conformance [--verbose] [--details] [SUITE...]``: run the specification suites
against the embedded server and print one figures line per suite. Exits 1 when any answer was
silently wrong."""

from __future__ import annotations

import argparse
import sys

from .outcomes import Tally, judge, known_refusals
from .sdist import source_tree
from .suites import SUITES, run


def report(tally: Tally, *, details: bool) -> None:
    for outcome in tally.wrong:
        print(f"  silently wrong: {outcome.test}: {outcome.message[:300]}")
    for outcome in tally.unlisted_refusals:
        print(f"  refused but not listed: {outcome.test}: {outcome.message[:200]}")
    for entry in tally.stale_entries:
        print(f"  listed refusal that no refused test matches: {entry}")
    if details:
        for outcome in tally.failed:
            if outcome not in tally.unlisted_refusals:
                print(f"  failed: {outcome.test}: {outcome.message[:300]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    parser.add_argument("suites", nargs="*", help="crud, change_streams (default: both)")
    parser.add_argument("--verbose", action="store_true", help="show PyMongo's runner output")
    parser.add_argument("--details", action="store_true", help="list every failed test")
    args = parser.parse_args(argv)
    tree = source_tree()
    chosen = [s for s in SUITES if not args.suites or s.key in args.suites]
    lines = []
    wrong = 0
    for suite in chosen:
        tally = judge(run(suite, tree, verbose=args.verbose), known_refusals(suite.key))
        print(f"{suite.label}:")
        report(tally, details=args.details)
        lines.append(tally.line(suite.label))
        wrong += len(tally.wrong)
    for line in lines:
        print(line)
    if wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()
