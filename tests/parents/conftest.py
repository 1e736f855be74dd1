"""Parents' tests use the panel tests' small fixed school (tests/admin/school.py)."""

from tests.admin.school import panel_app, school  # noqa: F401  (fixtures)
from tests.changelog.conftest import wait_for_entries, worker  # noqa: F401  (fixtures)
