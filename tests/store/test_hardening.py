"""Every answer is hardened: security headers, no caching of personal data, size limits, and
clear refusals instead of error pages for odd input."""

from __future__ import annotations

import re

from models.auth import LoginThrottle
from tests.admin.school import School, csrf, login, post

CSP_NEEDS = ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'")


async def test_every_answer_carries_the_security_headers(school: School) -> None:
    office = await school.login("vp.thuky")
    pupil = f"/admin/students/detail?pk={school.pupil_id('HS7A101')}"
    for path in ("/login", "/admin/", pupil, "/api/v1/students", "/nowhere"):
        response = await office.get(path)
        headers = response.headers
        assert all(part in headers["content-security-policy"] for part in CSP_NEEDS), path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "same-origin", path
        assert headers["cache-control"] == "no-store", path


def _linked(html: str, prefix: str) -> list[str]:
    """The paths under ``prefix`` that a page links or loads (absolute URLs or not)."""
    return re.findall(rf'(?:href|src)="(?:https?://[^/"]+)?({re.escape(prefix)}[^"?]+)', html)


async def test_static_files_may_be_cached(school: School) -> None:
    # The sign-in pages' files, and the panel's (styles, scripts, the translated scripts).
    client = school.client()
    page = await client.get("/login")
    office = await school.login("vp.thuky")
    panel = await office.get("/admin/students/list")
    files = _linked(page.text, "/static/")[:1] + _linked(panel.text, "/admin/static/")
    assert len(files) > 5, files
    assert "/admin/static/js/list.js" in files
    for static in files:
        response = await client.get(static)  # signed out: the same files for every visitor
        assert response.status_code == 200, static
        assert response.headers.get("cache-control") != "no-store", static
        assert response.headers["x-content-type-options"] == "nosniff", static


async def test_an_oversized_request_is_refused_in_vietnamese(school: School) -> None:
    client = school.client()
    await client.get("/login")
    body = {"username": "x" * (6 * 1024 * 1024), "password": "y", "csrftoken": csrf(client)}
    response = await client.post("/login", data=body)
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in response.text
    office = await school.login("vp.thuky")
    await office.get("/admin/")
    api = await office.patch(
        f"/api/v1/students/{school.pupil_id('HS7A101')}",
        content=b"{" + b" " * (6 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json", "X-CSRFToken": csrf(office)},
    )
    assert api.status_code == 413
    assert "quá lớn" in api.json()["detail"]


async def test_odd_forms_are_refused_clearly_not_with_an_error(school: School) -> None:
    client = school.client()
    await client.get("/login")
    token = csrf(client)
    huge_field = {"username": "x" * 2_000_000, "password": "y", "csrftoken": token}
    response = await client.post("/login", data=huge_field)
    assert response.status_code == 400
    assert "dài quá mức" in response.text
    many = {**{f"f{i}": "1" for i in range(1500)}, "csrftoken": token}
    response = await client.post("/login", data=many)
    assert response.status_code == 400
    assert "quá nhiều trường" in response.text
    office = await school.login("vp.thuky")
    path = f"/admin/students/edit?pk={school.pupil_id('HS7A101')}"
    response = await post(office, path, [(f"f{i}", "1") for i in range(1500)])
    assert response.status_code == 400
    assert "quá nhiều trường" in response.text


async def test_the_explain_tool_answers_404_for_an_unknown_kind_of_data(school: School) -> None:
    it = await school.login("it.quantri")
    params = {"username": "bgh.ht", "record": "HS7A101", "resource": "foo"}
    response = await it.get("/admin/explain", params=params)
    assert response.status_code == 404
    assert "Không có loại dữ liệu" in response.text


async def test_sign_in_names_with_pattern_characters_are_counted_like_any_other(
    school: School,
) -> None:
    """Names are matched exactly: "(a+)+$" is a name, not a pattern (no stall, no error)."""
    client = school.client()
    for name in ("(a+)+$", "a$b+c^?", "(a+)+$"):
        response = await login(client, name, "sai-mat-khau")
        assert response.status_code == 400, name  # the form again, refused, never a 500
    throttle = LoginThrottle.get_pymongo_collection()
    counted = await throttle.find_one({"scope": "account", "key": "(a+)+$"})
    assert counted is not None
    assert counted["failures"] == 2
    assert await throttle.count_documents({"scope": "account"}) == 2
    address = await throttle.find_one({"scope": "address"})
    assert address is not None
    assert address["failures"] == 3
