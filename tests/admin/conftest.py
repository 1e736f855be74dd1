"""Panel tests use the small fixed school of school.py (fresh for each test that asks)."""

from tests.admin.school import panel_app, school  # noqa: F401  (fixtures)
