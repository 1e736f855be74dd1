"""Class-list order: Vietnamese names sort by given name (the last word), then the rest."""

from __future__ import annotations

import unicodedata

from models.types import search_key


def class_list_key(full_name: str) -> tuple[str, str, str, str]:
    """Given name first, compared without diacritics ("Ân" next to "An"); the names with
    their diacritics break ties, so the order is total and stable."""
    name = " ".join(unicodedata.normalize("NFC", full_name).split())
    rest, _, given = name.rpartition(" ")
    return (search_key(given), search_key(rest), given.casefold(), rest.casefold())
