"""A parent's page: only their children, only what is approved, never the staff pages."""

from __future__ import annotations

import io
import unicodedata

import pytest
from bson.decimal128 import Decimal128 as Decimal
from pypdf import PdfReader

from app.parents.accounts import link_parent_account, username_base
from app.store import access_for
from app.store.collections import collection
from tests.admin.school import School, login
from tests.parents.helpers import YEAR, approve, make_parent, set_fields, sign_in_parent


def extract_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


SCORES = {
    f"years.{YEAR}.subjects.TOAN.hk1": {
        "tx": [Decimal("8"), Decimal("7"), Decimal("9")],
        "gk": Decimal("6.5"),
        "ck": Decimal("9"),
        "average": Decimal("7.8"),
    },
    f"years.{YEAR}.subjects.NGUVAN.hk1": {"tx": [Decimal("5")], "gk": Decimal("4")},
    f"years.{YEAR}.conduct.hk1": "T",
}


async def test_the_first_sign_in_changes_the_password_and_lands_on_the_child(
    school: School,
) -> None:
    slip = await make_parent(school)
    assert slip.username.startswith("ph.")
    client = await sign_in_parent(school, slip)
    response = await client.get("/phu-huynh")
    # One child: straight to their page.
    assert response.status_code == 303
    assert response.headers["location"] == f"/phu-huynh/con/{school.pupil_id('HS7A101')}"
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Nguyễn Văn An" in page.text


async def test_only_approved_results_are_shown(school: School) -> None:
    await set_fields("HS7A101", {k: v for k, v in SCORES.items()})
    await approve("HS7A101", subjects=("TOAN",))
    client = await sign_in_parent(school, await make_parent(school))
    page = await client.get(f"/phu-huynh/con/{school.pupil_id('HS7A101')}?ky=hk1")
    text = page.text
    assert "7,8" in text
    assert "6,5" in text
    assert "Chưa được duyệt" in text  # Ngữ văn and the homeroom book are not
    assert "ĐĐGgk: 4" not in text  # a draft never leaves the school
    # The conduct (homeroom book) is not approved yet either.
    assert 'data-path="years.2025-2026.conduct.hk1"' in text
    assert "Tốt" not in text


async def test_a_period_with_nothing_approved_says_so(school: School) -> None:
    client = await sign_in_parent(school, await make_parent(school))
    page = await client.get(f"/phu-huynh/con/{school.pupil_id('HS7A101')}?ky=hk2")
    assert 'id="not-approved"' in page.text
    assert "chưa được duyệt" in page.text


@pytest.mark.parametrize("code", ["HS7A102", "HS7A201", "HS6A901"])
async def test_another_pupil_is_not_found(school: School, code: str) -> None:
    client = await sign_in_parent(school, await make_parent(school))
    response = await client.get(f"/phu-huynh/con/{school.pupil_id(code)}")
    assert response.status_code == 404
    assert school.pupils[code].profile.full_name not in response.text
    report = await client.get(
        f"/phu-huynh/con/{school.pupil_id(code)}/bao-sai-sot",
        params={"muc": f"years.{YEAR}.conduct.hk1"},
    )
    assert report.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/students/list", "/api/v1/students", "/docs", "/admin/parent-reports"],
)
async def test_a_parent_never_reaches_staff_pages(school: School, path: str) -> None:
    client = await sign_in_parent(school, await make_parent(school))
    response = await client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 403
    else:
        assert response.status_code in (303, 307)
        assert response.headers["location"].endswith("/phu-huynh")


async def test_staff_get_no_parent_page(school: School) -> None:
    client = await school.login("gv.cn7a1")
    response = await client.get("/phu-huynh")
    assert response.status_code == 404
    assert "dành cho phụ huynh" in response.text


async def test_siblings_share_one_account_with_a_picker(school: School) -> None:
    slip = await make_parent(school, "HS7A101")
    office = await access_for(school.users["vp.thuky"])
    await link_parent_account(office, school.pupil_id("HS7A201"), slip.username)
    client = await sign_in_parent(school, slip)
    home = await client.get("/phu-huynh")
    assert home.status_code == 200
    assert "Nguyễn Văn An" in home.text
    assert "Nguyễn Văn Bình" in home.text
    page = await client.get(f"/phu-huynh/con/{school.pupil_id('HS7A201')}")
    assert page.status_code == 200
    assert 'id="child-picker"' in page.text


async def test_a_parent_account_is_locked_after_failed_sign_ins_like_staff(
    school: School,
) -> None:
    slip = await make_parent(school)
    client = school.client()
    statuses = [
        (await login(client, slip.username, "sai mật khẩu rồi")).status_code for _ in range(6)
    ]
    assert statuses[-1] == 429
    assert (await login(client, slip.username, slip.password)).status_code == 429


def test_sign_in_names_come_from_the_guardian_name() -> None:
    assert username_base("Nguyễn Thị Bình") == "ph.binhnt"
    assert username_base("Đỗ Đức") == "ph.ducd"
    assert username_base("H' Hen Niê") == "ph.niehh"


async def test_the_parents_account_page_leads_to_their_page_not_the_panel(
    school: School,
) -> None:
    client = await sign_in_parent(school, await make_parent(school))
    page = await client.get("/account")
    assert page.status_code == 200
    assert 'href="/phu-huynh"' in page.text
    assert 'href="/admin/"' not in page.text


async def test_a_parent_downloads_the_summary_of_an_approved_period_only(school: School) -> None:
    await set_fields("HS7A101", {k: v for k, v in SCORES.items()})
    await approve("HS7A101", subjects=("TOAN",))
    await approve("HS7A102", subjects=("TOAN",))
    client = await sign_in_parent(school, await make_parent(school))
    child = f"/phu-huynh/con/{school.pupil_id('HS7A101')}"
    page = await client.get(f"{child}?nam={YEAR}&ky=hk1")
    assert f"{child}/phieu-bao.pdf?nam={YEAR}&amp;ky=hk1" in page.text
    response = await client.get(f"{child}/phieu-bao.pdf", params={"nam": YEAR, "ky": "hk1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = unicodedata.normalize("NFC", extract_text(response.content))
    assert "Nguyễn Văn An" in text
    assert "7,8" in text  # the approved average
    assert "ĐĐGgk: 4" not in text
    journal = await collection("export_journal").find_one({"file_format": "pdf"})
    assert journal is not None
    assert journal["actor_name"].startswith("Mẹ của")
    # A period not approved, another pupil, a year that does not exist: nothing.
    for url, params in (
        (f"{child}/phieu-bao.pdf", {"nam": YEAR, "ky": "hk2"}),
        (f"/phu-huynh/con/{school.pupil_id('HS7A102')}/phieu-bao.pdf", {"nam": YEAR, "ky": "hk1"}),
        (f"{child}/phieu-bao.pdf", {"nam": "2000-2001", "ky": "hk1"}),
    ):
        assert (await client.get(url, params=params)).status_code == 404
