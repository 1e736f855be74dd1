"""Pupil name search shared by the API and the panel.

Names are compared on the stored search key (lower case, no diacritics, đ→d), so "nguyen van"
finds "Nguyễn Văn An". Ethnic-minority names carry apostrophes that people type one way or
another, or not at all ("Ksor Thị H'Lan": "h'lan", "h’lan", "hlan"; "H' Hen Niê": "h hen",
"hhen"), so apostrophes are optional on both sides.
"""

from __future__ import annotations

import re

from models.types import search_key

APOSTROPHES = "'’‘ʼ`"
# Between two characters of the term the stored key may hold an apostrophe and one space.
_GAP = f"(?:[{APOSTROPHES}] ?)?"


def name_pattern(term: str) -> str:
    """A regular expression (metacharacters escaped) that finds ``term`` in a search key."""
    chars = [c for c in search_key(term) if c not in APOSTROPHES]
    return _GAP.join(re.escape(c) for c in chars)
