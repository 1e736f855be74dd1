"""Export tests use the panel tests' small fixed school (tests/admin/school.py)."""

from tests.admin.school import panel_app, school  # noqa: F401  (fixtures)
