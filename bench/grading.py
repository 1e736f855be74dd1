"""Benchmark of the grading engine: ``compute_year`` over synthetic pupils on one core.

Run from the project root: ``python -m bench.grading`` (options: ``--pupils``, ``--seed``,
``--repeat``). Inputs are generated first (deterministic seed) and not timed; the timing covers
``compute_year`` only. Target: at least 5,000 pupils per second.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from app.grading import (
    AssessmentKind,
    CommentLevel,
    Computed,
    Level,
    Mark,
    SubjectInput,
    TermAssessments,
    YearInput,
    YearResult,
    catalogue,
    compute_year,
)

TARGET_PER_SECOND = 5_000
# Every score a teacher can type, so generation does not build Decimals one by one.
TENTHS = [Decimal(n).scaleb(-1) for n in range(101)]
LEVELS = (Level.GOOD, Level.FAIR, Level.PASS, Level.FAIL)
CONDUCT_WEIGHTS = (0.62, 0.27, 0.09, 0.02)


def _score(rng: random.Random, mean: float) -> Decimal:
    return TENTHS[min(100, max(0, round(rng.gauss(mean, 0.9) * 10)))]


def _term(rng: random.Random, kind: AssessmentKind, count: int, mean: float) -> TermAssessments:
    if kind is AssessmentKind.SCORE:
        marks: list[Mark] = [_score(rng, mean) for _ in range(count + 2)]
    else:
        # Weaker pupils get Chưa đạt more often in comment subjects too.
        fail = 0.002 if mean >= 5.0 else 0.06
        marks = [
            CommentLevel.FAIL if rng.random() < fail else CommentLevel.PASS
            for _ in range(count + 2)
        ]
    return TermAssessments(tuple(marks[:count]), marks[count], marks[count + 1])


def synthetic_pupil(rng: random.Random) -> YearInput:
    """One pupil's full year: ability spread around 7.0, subject and assessment noise, 1 % with
    a final assessment not yet entered, summer results for some of those who need them."""
    grade = rng.choice((6, 7, 8, 9))
    ability = rng.gauss(7.0, 1.1)
    subjects: list[SubjectInput] = []
    for code, subject in catalogue().items():
        if subject.elective and rng.random() > (0.4 if code == "TIENGDANTOC" else 0.05):
            continue
        mean = ability + rng.gauss(0, 0.7)
        count = subject.regular_count(grade)
        term1 = _term(rng, subject.kind, count, mean - 0.2)
        term2 = _term(rng, subject.kind, count, mean + 0.1)
        reassessment: Mark | None = None
        if subject.kind is AssessmentKind.SCORE and mean < 5.0 and rng.random() < 0.5:
            reassessment = _score(rng, mean + 1.5)
        subjects.append(SubjectInput(code, term1, term2, reassessment))
    if rng.random() < 0.01:  # a final assessment not yet entered
        victim = rng.randrange(len(subjects))
        entry = subjects[victim]
        subjects[victim] = SubjectInput(
            entry.code, entry.term1, TermAssessments(entry.term2.regular, entry.term2.mid, None)
        )
    conduct1 = rng.choices(LEVELS, CONDUCT_WEIGHTS)[0]
    conduct2 = conduct1 if rng.random() < 0.6 else rng.choices(LEVELS, CONDUCT_WEIGHTS)[0]
    after_training = None
    if conduct2 is Level.FAIL and rng.random() < 0.5:
        after_training = rng.choice((Level.PASS, Level.FAIL))
    long_absence = rng.random() < 0.005
    return YearInput(
        grade=grade,
        subjects=tuple(subjects),
        conduct_term1=conduct1,
        conduct_term2=conduct2,
        absences_excused=rng.randint(30, 60) if long_absence else int(rng.expovariate(1 / 3)),
        absences_unexcused=int(rng.expovariate(1 / 1.0)),
        conduct_after_training=after_training,
    )


def _label(result: Computed[object] | object) -> str:
    if not isinstance(result, Computed):
        return "Chưa tính được"
    value = result.value
    if value is None:
        return "Không có"
    label = getattr(value, "label", None)
    return str(label) if label is not None else str(value)


def _print_distribution(title: str, labels: Sequence[str]) -> None:
    counts = Counter(labels)
    print(f"\n{title}")
    for label, count in counts.most_common():
        print(f"  {label:<48} {count:>6}  {100 * count / len(labels):5.1f} %")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pupils", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20_240_905)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is kept")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    started = time.perf_counter()
    pupils = [synthetic_pupil(rng) for _ in range(args.pupils)]
    print(f"Sinh dữ liệu {len(pupils)} học sinh: {time.perf_counter() - started:.2f} s")

    results: list[YearResult] = []
    timings: list[float] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        results = [compute_year(inputs=pupil) for pupil in pupils]
        timings.append(time.perf_counter() - started)
    best = min(timings)
    rate = len(pupils) / best
    runs = ", ".join(f"{t:.3f}" for t in timings)
    print(f"compute_year: {len(pupils)} học sinh trong {best:.3f} s (các lần chạy: {runs} s)")
    verdict = "đạt" if rate >= TARGET_PER_SECOND else "CHƯA ĐẠT"
    print(f"Tốc độ: {rate:,.0f} học sinh/giây ({verdict} mục tiêu {TARGET_PER_SECOND:,})")

    _print_distribution("Kết quả học tập cả năm", [_label(r.learning_year) for r in results])
    _print_distribution("Kết quả rèn luyện cả năm", [_label(r.conduct_year) for r in results])
    _print_distribution("Danh hiệu", [_label(r.title) for r in results])
    _print_distribution(
        "Lên lớp",
        [
            r.promotion.value.label if isinstance(r.promotion, Computed) else "Chưa tính được"
            for r in results
        ],
    )
    return 0 if rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    raise SystemExit(main())
