"""Fixtures of the permission tests (helpers live in perm_support.py)."""

from __future__ import annotations

from typing import Any

import pytest
from perm_support import catalogue


@pytest.fixture(autouse=True)
def _documents_ready(beanie_db: Any) -> None:
    """Users and roles are Beanie documents: building one needs Beanie initialised."""


__all__ = ["catalogue"]
