"""The approval chain runs on the small fixed school of tests/admin/school.py."""

from tests.admin.school import panel_app, school  # noqa: F401  (fixtures)
