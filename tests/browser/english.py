"""The English a page must not show: every text starlette-admin can put on a page, and more.

The phrases come from the library itself (its message catalogue and the texts its templates
translate), so a library upgrade that adds an English text is checked too; a few texts the
library writes without translating (its scripts' fallbacks) and what a half-translated panel was
seen to show are added by hand.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import starlette_admin
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

LIBRARY = Path(starlette_admin.__file__).parent
_PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sd]|\{\w*\}")
SEEN_IN_THE_PANEL = (
    "Welcome to",
    "Showing",
    "entries",
    "-null-",
    "-empty-",
    "Something went wrong",
    "Please fill out this field",
    "Toggle navigation",
    "Open user menu",
    "Search in table",
    "Change language",
)
# Words of the catalogue a Vietnamese page legitimately shows (file formats, the product).
NOT_ENGLISH_HERE = {"Excel", "CSV", "PDF", "JSON", "ID", "UUID"}


def _catalogue_ids() -> set[str]:
    ids: set[str] = set()
    with (LIBRARY / "translations" / "fr" / "LC_MESSAGES" / "admin.po").open("rb") as fp:
        for message in read_po(fp):
            if message.id:
                ids.add(message.id if isinstance(message.id, str) else message.id[0])
    extracted = extract_from_dir(
        str(LIBRARY / "templates"),
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
    )
    for _filename, _lineno, message, _comments, _context in extracted:
        ids.add(message if isinstance(message, str) else message[0])
    return ids


@cache
def english_phrases() -> tuple[str, ...]:
    """Each English text (or the fixed pieces of one with placeholders), longest first."""
    phrases: set[str] = set(SEEN_IN_THE_PANEL)
    for text in _catalogue_ids():
        for piece in _PLACEHOLDER.split(text):
            piece = piece.strip(" .:,!?()")
            if len(piece) >= 3 and re.search(r"[a-z]", piece) and piece not in NOT_ENGLISH_HERE:
                phrases.add(piece)
    return tuple(sorted(phrases, key=len, reverse=True))


def english_in(text: str) -> list[str]:
    """The English phrases found in a text, each as a whole word or words."""
    found = []
    for phrase in english_phrases():
        if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text):
            found.append(phrase)
    return found


async def page_text(page: Any) -> str:
    """What a reader of the page meets: visible text, and the accessible names, placeholders
    and tooltips of its elements (what a screen reader says or the pointer shows)."""
    text: str = await page.locator("body").inner_text()
    attributes: list[str] = await page.evaluate(
        """() => Array.from(document.querySelectorAll(
                '[aria-label], [placeholder], [title], input[type=submit][value]'))
            .filter(e => e.getClientRects().length > 0 || e.getAttribute('aria-label'))
            .flatMap(e => ['aria-label', 'placeholder', 'title', 'value']
                .filter(a => e.hasAttribute(a) && (a !== 'value' || e.type === 'submit'))
                .map(a => e.getAttribute(a)))"""
    )
    title: str = await page.title()
    return "\n".join([title, text, *attributes])
