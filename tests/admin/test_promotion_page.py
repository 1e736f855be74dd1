"""The office's «Chuyển năm học» page: the preview per class, other classes chosen, the
confirmed move, and who sees the page at all."""

from __future__ import annotations

import re

import pytest

from app.clock import utcnow
from app.office import promotion_run
from app.office.promotion import Result
from tests.admin.school import YEAR, School, load_form, post, replace
from tests.factories import stored_pupil
from tests.office.year_end import NEXT, finish_year

PAGE = "/admin/promotion"


def row(html: str, code: str) -> str:
    match = re.search(rf'<tr data-code="{code}"(.*?)</tr>', html, re.S)
    assert match, code
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


async def class_of(code: str) -> tuple[str, str] | None:
    pupil = await stored_pupil({"code": code})
    assert pupil is not None
    return (pupil.current.school_year, pupil.current.class_name) if pupil.current else None


async def test_the_office_sees_who_goes_where_and_moves_them(school: School) -> None:
    await finish_year(school)
    office = await school.login("vp.thuky")
    page = await office.get(PAGE)
    assert page.status_code == 200
    assert f"sang năm học <strong>{NEXT}</strong>" in page.text
    assert "Lớp 7A1" in page.text
    assert "Lên lớp → 8A1" in row(page.text, "HS7A101")
    assert "Ở lại lớp → 7A1" in row(page.text, "HS7A102")
    assert "Kiểm tra lại" in row(page.text, "HS7A103")
    assert "chưa chuyển" in row(page.text, "HS7A103")
    # Waiting for the re-assessment's result: not said to be retraining in summer.
    assert "Chờ kết quả xét lên lớp" in row(page.text, "HS7A103")
    assert "Tốt nghiệp" in row(page.text, "HS9A101")
    assert re.search(r'<option value="8A2" selected>8A2</option>', page.text)
    assert 'id="promotion-apply" disabled' not in page.text
    assert "Xác nhận chuyển 7 học sinh sang năm học 2026-2027" in page.text

    # Another class for 7A2's pupils: the preview follows, nothing is written yet.
    form = await load_form(office, PAGE)
    chosen = replace(form, **{"promote_to.7A2": "8A1"})
    again = await post(office, PAGE, [*chosen, ("do", "preview")])
    assert again.status_code == 200
    assert "Lên lớp → 8A1" in row(again.text, "HS7A201")
    assert await class_of("HS7A201") == (YEAR, "7A2")

    started = await post(office, PAGE, [*chosen, ("do", "apply")])
    assert started.status_code == 303
    assert started.headers["location"].endswith("/admin/promotion/run")
    await promotion_run.wait()
    done = await office.get("/admin/promotion/run")
    assert 'id="promotion-result"' in done.text
    assert "(Mùa Thị Văn xác nhận lúc" in done.text
    assert "7 học sinh được ghi vào học bạ" in done.text
    assert '<meta http-equiv="refresh"' not in done.text
    assert await class_of("HS7A201") == (NEXT, "8A1")
    assert await class_of("HS7A102") == (NEXT, "7A1")
    assert await class_of("HS7A103") == (YEAR, "7A1")

    # Afterwards the page shows them as moved, and there is nothing left to confirm.
    page = await office.get(PAGE)
    assert "Đã chuyển → 8A1" in row(page.text, "HS7A201")
    assert 'id="promotion-nothing"' in page.text
    assert 'id="promotion-apply" disabled' in page.text


async def test_an_open_year_is_refused_naming_the_classes(school: School) -> None:
    await finish_year(school, unlocked=("HS7A203",))
    office = await school.login("vp.thuky")
    page = await office.get(PAGE)
    assert "chưa khóa sổ ở các lớp: 7A2 (1 học sinh)" in page.text
    assert 'id="promotion-apply" disabled' in page.text
    form = await load_form(office, PAGE)
    refused = await post(office, PAGE, [*form, ("do", "apply")])
    assert refused.status_code == 422
    assert 'id="promotion-error"' in refused.text
    assert await class_of("HS7A101") == (YEAR, "7A1")


async def test_a_year_not_in_the_catalogue_is_named(school: School) -> None:
    office = await school.login("vp.thuky")
    page = await office.get(PAGE, params={"year": "2030-2031"})
    assert page.status_code == 422
    assert "Năm học «2030-2031» không có trong danh mục" in page.text
    assert "Lớp 7A1" in page.text  # the current year's preview instead


async def test_the_move_needs_the_form_token(school: School) -> None:
    await finish_year(school)
    office = await school.login("vp.thuky")
    await office.get(PAGE)
    response = await office.post(PAGE, data={"year": YEAR, "do": "apply"})
    assert response.status_code == 403
    assert await class_of("HS7A101") == (YEAR, "7A1")


async def test_only_the_office_has_the_page(school: School) -> None:
    office = await school.login("vp.thuky")
    assert "/admin/promotion" in (await office.get("/admin/")).text  # in the menu
    for username in ("bgh.ht", "gv.cn7a1", "it.quantri"):
        client = await school.login(username)
        assert "/admin/promotion" not in (await client.get("/admin/")).text
        assert (await client.get(PAGE)).status_code in (403, 404)
        denied = await post(client, PAGE, {"year": YEAR, "do": "apply"})
        assert denied.status_code in (403, 404)
    assert await class_of("HS7A101") == (YEAR, "7A1")


async def test_a_running_move_shows_its_progress_and_blocks_another(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    await finish_year(school)
    office = await school.login("vp.thuky")
    running = promotion_run.PromotionRun(
        running=True,
        started_by="Mùa Thị Văn",
        started_at=utcnow(),
        total=120,
        done=50,
        result=Result(YEAR, NEXT),
    )
    monkeypatch.setattr(promotion_run, "_run", running)
    page = await office.get("/admin/promotion/run")
    assert 'id="promotion-progress"' in page.text
    assert "đã ghi 50/120 học sinh" in page.text
    assert '<meta http-equiv="refresh" content="2">' in page.text
    form = await load_form(office, PAGE)
    refused = await post(office, PAGE, [*form, ("do", "apply")])
    assert refused.status_code == 422
    assert "Đang có một lượt chuyển năm học chạy" in refused.text
    assert await class_of("HS7A101") == (YEAR, "7A1")
