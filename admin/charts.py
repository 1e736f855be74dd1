"""Charts drawn on the server as inline SVG: no script, no download, readable by screen readers.

Every chart is an ``<svg role="img">`` named by its title and described by a summary; each bar
or point carries its own ``<title>`` (shown on hover), and the numbers are printed beside the
bars, so nothing is told by colour alone. The page's tables hold the same numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_ids = itertools.count(1)
ROW = 26  # px per bar
LABEL_WIDTH = 230
BAR_WIDTH = 420
WIDTH = LABEL_WIDTH + BAR_WIDTH + 70


@dataclass(frozen=True)
class Bar:
    label: str
    percent: int  # 0–100
    caption: str = ""  # e.g. "312/400 ô"


@dataclass(frozen=True)
class Segment:
    name: str
    count: int
    css: str  # a class of hocba.css giving the fill


def _frame(
    title: str, summary: str, height: int, body: str, width: int = WIDTH, legend: str = ""
) -> Markup:
    """A figure: the visible caption names the chart, the description reads its numbers."""
    number = next(_ids)
    return Markup(
        f'<figure class="hocba-figure"><figcaption id="chart-{number}-t">{escape(title)}'
        f"</figcaption>"
        f'<svg class="hocba-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="chart-{number}-t chart-{number}-d">'
        f'<desc id="chart-{number}-d">{escape(summary)}</desc>{body}</svg>{legend}</figure>'
    )


def percent_bars(title: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, one per row, 0–100 %."""
    parts = []
    for index, bar in enumerate(bars):
        y = index * ROW + 4
        width = BAR_WIDTH * max(0, min(bar.percent, 100)) / 100
        text = f"{bar.label}: {bar.percent}%" + (f" ({bar.caption})" if bar.caption else "")
        parts.append(
            f"<g><title>{escape(text)}</title>"
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end" class="hocba-chart-label">'
            f"{escape(bar.label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="18" '
            'class="hocba-chart-track"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="18" '
            'class="hocba-chart-bar"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 14}" class="hocba-chart-value">'
            f"{bar.percent}%</text></g>"
        )
    summary = "; ".join(f"{b.label} {b.percent}%" for b in bars) or "Chưa có dữ liệu"
    return _frame(title, summary, max(len(bars), 1) * ROW + 8, "".join(parts))


def stacked_bars(title: str, rows: Sequence[tuple[str, Sequence[Segment]]]) -> Markup:
    """One 100 % bar per row, split into segments (e.g. Tốt / Khá / Đạt / Chưa đạt)."""
    parts = []
    summaries = []
    for index, (label, segments) in enumerate(rows):
        y = index * ROW + 4
        total = sum(s.count for s in segments)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end" class="hocba-chart-label">'
            f"{escape(label)}</text>"
        )
        x = float(LABEL_WIDTH)
        described = []
        for segment in segments:
            if not segment.count:
                continue
            width = BAR_WIDTH * segment.count / total
            share = round(100 * segment.count / total)
            described.append(f"{segment.name} {segment.count} ({share}%)")
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="18" '
                f'class="{escape(segment.css)}"><title>{escape(label)}: {escape(segment.name)} '
                f"{segment.count} ({share}%)</title></rect>"
            )
            if width >= 28:
                parts.append(
                    f'<text x="{x + width / 2:.1f}" y="{y + 14}" text-anchor="middle" '
                    f'class="hocba-chart-inside">{share}%</text>'
                )
            x += width
        summaries.append(f"{label}: " + (", ".join(described) or "chưa có"))
    names: dict[str, str] = {}
    for _, segments in rows:
        for segment in segments:
            names.setdefault(segment.name, segment.css)
    legend = "".join(
        f'<span class="hocba-legend-item"><svg width="12" height="12" aria-hidden="true">'
        f'<rect width="12" height="12" class="{escape(css)}"/></svg> {escape(name)}</span>'
        for name, css in names.items()
    )
    return _frame(
        title,
        "; ".join(summaries) or "Chưa có dữ liệu",
        max(len(rows), 1) * ROW + 8,
        "".join(parts),
        legend=f'<p class="hocba-legend">{legend}</p>' if legend else "",
    )


def line_chart(title: str, points: Sequence[tuple[str, int]], unit: str = "ô") -> Markup:
    """A line over time (e.g. cells entered per week), with a dot and label per point."""
    height, left, bottom, top = 220, 48, 40, 16
    inner_w = WIDTH - left - 20
    inner_h = height - top - bottom
    peak = max((v for _, v in points), default=0) or 1
    step = inner_w / max(len(points) - 1, 1)
    coords = [
        (left + i * step, top + inner_h - inner_h * value / peak)
        for i, (_, value) in enumerate(points)
    ]
    parts = [
        f'<line x1="{left}" y1="{top + inner_h}" x2="{left + inner_w}" y2="{top + inner_h}" '
        'class="hocba-chart-axis"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" class="hocba-chart-label">'
        f"{peak}</text>",
        f'<text x="{left - 6}" y="{top + inner_h}" text-anchor="end" class="hocba-chart-label">'
        "0</text>",
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" class="hocba-chart-line"/>')
    every = max(1, len(points) // 10)
    for index, ((label, value), (x, y)) in enumerate(zip(points, coords, strict=True)):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="hocba-chart-dot">'
            f"<title>{escape(label)}: {value} {escape(unit)}</title></circle>"
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                f'class="hocba-chart-label">{escape(label)}</text>'
            )
    summary = "; ".join(f"{label}: {value} {unit}" for label, value in points)
    return _frame(title, summary or "Chưa có dữ liệu", height, "".join(parts))
