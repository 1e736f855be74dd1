"""The API's reference pages: this site's own files only (they work offline), staff only."""

from __future__ import annotations

import re

from tests.admin.school import School


async def test_the_api_reference_is_for_signed_in_staff_only(school: School) -> None:
    anonymous = school.client()
    for path in ("/docs", "/openapi.json"):
        response = await anonymous.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?")


async def test_the_api_reference_loads_nothing_from_other_sites(school: School) -> None:
    staff = await school.login("vp.thuky")
    page = await staff.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert all(s.startswith("/") for s in sources), sources
    for source in sources:
        asset = await staff.get(source)
        assert asset.status_code == 200, source
    schema = await staff.get("/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/students" in schema.json()["paths"]
