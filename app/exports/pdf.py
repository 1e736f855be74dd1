"""The printed documents' page: embedded Vietnamese fonts, fixed metadata, a few layout helpers.

The fonts (DejaVu Serif Condensed, free licence in ``fonts/LICENSE``) ship inside the package,
so a fresh machine and the Docker image render Vietnamese without fetching anything. Every
document is reproducible: its creation date is fixed and its file id is a hash of its content,
so the same data always gives the same bytes.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVuSerifCondensed"
FONT_FILES = {
    "": "DejaVuSerifCondensed.ttf",
    "B": "DejaVuSerifCondensed-Bold.ttf",
    "I": "DejaVuSerifCondensed-Italic.ttf",
}
# Not "now": a document made twice from the same data must be the same file.
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
LINE = 5.2  # mm per line of body text
CELL = LINE - 0.8  # mm per line inside a table cell
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


class Document(FPDF):
    """An A4 portrait document in the school's fonts; ``title`` goes in its metadata."""

    def __init__(self, *, title: str, school: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        for style in FONT_FILES:
            self.fonts[f"{FAMILY.lower()}{style}"] = _font_for(self, style)
        self.set_creation_date(FIXED_DATE)
        self.set_title(title)
        self.set_author(school)
        self.set_creator("Học bạ số")
        self.set_producer("Học bạ số")
        self.set_margins(15, 12, 15)
        self.set_auto_page_break(auto=True, margin=14)
        self.school = school
        self.set_font(FAMILY, size=10)

    # -- text ------------------------------------------------------------------------------
    def write_line(self, text: str, *, size: float = 10, style: str = "", align: str = "L") -> None:
        self.set_font(FAMILY, style, size)
        height = max(LINE, size * 0.45)  # a title's line as tall as its letters
        self.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def field(self, label: str, value: str, *, width: float = 45) -> None:
        """«Nhãn: giá trị» on one line (wrapped under the value when long)."""
        self.set_font(FAMILY, "", 10)
        self.cell(width, LINE, f"{label}:")
        self.set_font(FAMILY, "B", 10)
        rest = self.w - self.r_margin - self.get_x()
        if self._fits(value, rest):
            self.cell(rest, LINE, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            self.multi_cell(0, LINE, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def state_header(self) -> None:
        """The school on the left, the nation's name and motto on the right."""
        top = self.get_y()
        half = (self.w - self.l_margin - self.r_margin) / 2
        self.set_font(FAMILY, "B", 9.5)
        self.multi_cell(half - 4, 4.6, self.school.upper(), align="C")
        left_bottom = self.get_y()
        self.set_xy(self.l_margin + half, top)
        self.multi_cell(half, 4.6, NATION, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(FAMILY, "B", 10)
        self.multi_cell(half, 4.6, MOTTO, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_y(max(left_bottom, self.get_y()) + 4)

    def table(  # type: ignore[override]
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        size: float = 9,
        aligns: Sequence[str] | None = None,
    ) -> None:
        """A bordered table; cells wrap, rows never split across pages, headers repeat."""
        aligns = aligns or ["L"] + ["C"] * (len(widths) - 1)
        centred = ["C"] * len(widths)
        self._row(headers, widths, centred, size, "B")
        for row in rows:
            height = self._row_height(row, widths, size, "")
            if self.will_page_break(height):
                self.add_page()
                self._row(headers, widths, centred, size, "B")
            self._row(row, widths, aligns, size, "", height)

    def _row_height(
        self, row: Sequence[str], widths: Sequence[float], size: float, style: str
    ) -> float:
        self.set_font(FAMILY, style, size)
        lines = 1
        for text, width in zip(row, widths, strict=True):
            if text and not self._fits(text, width):
                wrapped = self.multi_cell(width, CELL, text, dry_run=True, output="LINES")
                lines = max(lines, len(wrapped))  # type: ignore[arg-type]
        return lines * CELL

    def _row(
        self,
        row: Sequence[str],
        widths: Sequence[float],
        aligns: Sequence[str],
        size: float,
        style: str,
        height: float | None = None,
    ) -> None:
        if height is None:
            height = self._row_height(row, widths, size, style)
        self.set_font(FAMILY, style, size)
        x, y = self.l_margin, self.get_y()
        for text, width, align in zip(row, widths, aligns, strict=True):
            self.rect(x, y, width, height)
            if text:
                self.set_xy(x, y)
                if self._fits(text, width):  # one line: far cheaper than line breaking
                    self.cell(width, CELL, text, align=align)
                else:
                    self.multi_cell(width, CELL, text, align=align)
            x += width
        self.set_xy(self.l_margin, y + height)

    def _fits(self, text: str, width: float) -> bool:
        return "\n" not in text and self.get_string_width(text) <= width - 2 * self.c_margin

    def signatures(self, blocks: Sequence[tuple[str, str]], *, place_date: str = "") -> None:
        """Signature blocks side by side: (title, hint such as «Ký, ghi rõ họ tên»)."""
        needed = 38
        if self.will_page_break(needed):
            self.add_page()
        self.ln(3)
        width = (self.w - self.l_margin - self.r_margin) / len(blocks)
        if place_date:
            self.set_x(self.l_margin + width * (len(blocks) - 1))
            self.set_font(FAMILY, "I", 9.5)
            self.cell(width, LINE, place_date, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        top = self.get_y()
        for index, (title, hint) in enumerate(blocks):
            self.set_xy(self.l_margin + index * width, top)
            self.set_font(FAMILY, "B", 10)
            self.cell(width, LINE, title, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_font(FAMILY, "I", 9)
            self.cell(width, LINE, f"({hint})" if hint else "", align="C")
        self.set_xy(self.l_margin, top + needed - 8)


@cache
def _prototype(style: str) -> TTFFont:
    """A font measured once per process (widths, glyph ids: ~0.1 s each), never output."""
    measuring = FPDF()
    measuring.add_font(FAMILY, style, str(FONTS / FONT_FILES[style]))
    font = measuring.fonts[f"{FAMILY.lower()}{style}"]
    assert isinstance(font, TTFFont)
    return font


@cache
def _font_bytes(style: str) -> bytes:
    return (FONTS / FONT_FILES[style]).read_bytes()


def _font_for(document: FPDF, style: str) -> TTFFont:
    """The font for one document: the measurements shared, what a document changes its own
    (the subset of glyphs it uses, and the font program the subset is cut from). What
    ``FPDF.add_font`` does, without measuring the font again for every pupil of a batch."""
    font = copy.copy(_prototype(style))
    font.i = len(document.fonts) + 1
    font.ttfont = ttLib.TTFont(io.BytesIO(_font_bytes(style)), recalcTimestamp=False, lazy=True)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    return font


def output(document: FPDF) -> bytes:
    return bytes(document.output())
