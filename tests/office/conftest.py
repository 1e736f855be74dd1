"""Office services are tested on the panel's small fixed school (tests/admin/school.py)."""

from tests.admin.school import panel_app, school  # noqa: F401  (fixtures)
