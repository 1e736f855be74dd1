"""The panel's frame around every page: error pages keep the menu for a signed-in user, and
the accessible names the library writes in English are read out in Vietnamese."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import starlette_admin

from admin.template_text import ACCESSIBLE_NAMES, error_detail
from tests.admin.school import School

LIBRARY_TEMPLATES = Path(starlette_admin.__file__).parent / "templates"
ARIA = re.compile(r'aria-label="([^"{]*)"')

# Vietnamese names that happen to need no diacritics.
PLAIN_VIETNAMESE = {"Xem", "Trang sau"}


def accessible_names(html: str) -> set[str]:
    return set(ARIA.findall(html))


def looks_english(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z ]*", name)) and name not in PLAIN_VIETNAMESE


async def test_not_found_keeps_the_menu_for_a_signed_in_user(school: School) -> None:
    teacher = await school.login("gv.cn7a1")
    outside = school.pupil_id("HS7A201")  # another class: not found for this teacher
    for path in (f"/admin/students/detail?pk={outside}", "/admin/khong-co-trang-nay"):
        response = await teacher.get(path)
        assert response.status_code == 404
        assert "Không tìm thấy trang hoặc bản ghi này" in response.text
        assert "Hồ sơ học sinh" in response.text  # the side menu
        assert "Hà Thị Chủ" in response.text  # the user menu
        assert "Mở menu tài khoản" in response.text


async def test_the_sign_in_page_has_no_menu(school: School) -> None:
    response = await school.client().get("/login")
    assert response.status_code == 200
    assert "Hồ sơ học sinh" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/students/list",
        "/admin/students/detail?pk={pupil}",
        "/admin/students/edit?pk={pupil}",
        "/admin/users/list",
        "/admin/users/detail?pk={user}",
        "/admin/khong-co-trang-nay",
    ],
)
async def test_no_accessible_name_is_left_in_english(school: School, path: str) -> None:
    it = await school.login("gv.cn7a1" if "students" in path else "it.quantri")
    url = path.format(pupil=school.pupil_id("HS7A101"), user=school.ids[("users", "gv.toan")])
    response = await it.get(url)
    assert response.status_code == (404 if "khong-co" in path else 200)
    names = accessible_names(response.text)
    assert names, "the page names its controls"
    assert not [n for n in names if looks_english(n)], names


def test_every_english_accessible_name_of_the_library_is_translated() -> None:
    """A new release of the library with a new English name fails here, not in a screen reader."""
    found = {
        match.group(0)
        for template in LIBRARY_TEMPLATES.rglob("*.html")
        for match in ARIA.finditer(template.read_text(encoding="utf-8"))
        if looks_english(match.group(1))
    }
    assert found
    assert found <= set(ACCESSIBLE_NAMES), found - set(ACCESSIBLE_NAMES)


async def test_yes_no_columns_say_it_in_words(school: School) -> None:
    it = await school.login("it.quantri")
    html = (await it.get("/admin/users/list", params={"page_size": "100"})).text
    assert '<span class="visually-hidden">Có</span>' in html  # active accounts
    assert 'title="Có"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"filter": "khong__eq=1"}, "Bộ lọc không hợp lệ: không có trường «khong» để lọc."),
        ({"filter": "class_name__zz=1"}, "trường «class_name» không có phép lọc «zz»"),
        ({"filter": "class_name__eq= 7A1 "}, "Bộ lọc trong địa chỉ trang không hợp lệ."),
        ({"page_size": "7"}, "Không hỗ trợ 7 dòng mỗi trang; hãy chọn một trong các số: 25, 50"),
    ],
)
async def test_bad_list_parameters_are_explained_in_vietnamese(
    school: School, params: dict[str, str], message: str
) -> None:
    office = await school.login("vp.thuky")
    response = await office.get("/admin/students/list", params=params)
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert "Yêu cầu không hợp lệ." in page
    assert message in page
    assert "Invalid" not in page
    assert "Hồ sơ học sinh" in page  # still inside the panel


@pytest.mark.parametrize(
    ("detail", "shown"),
    [
        ("Not Found", None),
        ("Some new English library message", None),
        ("", None),
        (None, None),
        ("Không tìm thấy học sinh này.", "Không tìm thấy học sinh này."),
        ("Field 'years' is not accessible", "Không thể sắp xếp theo trường «years»."),
    ],
)
def test_error_detail(detail: object, shown: str | None) -> None:
    assert error_detail(detail) == shown
