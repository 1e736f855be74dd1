"""The panel's frame reads as Vietnamese and as data, not as a prototype: no English from the
library whatever the browser asks for, no "-null-", no Python lists, no internal codes, a
meaningful export name, "add" links only for those who may add, a favicon."""

from __future__ import annotations

import html
import re

from app.clock import local, utcnow
from models.changelog import ChangeLogEntry
from tests.admin.school import School, action, post

ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_an_english_browser_gets_the_vietnamese_frame(school: School) -> None:
    it = await school.login("it.quantri")
    it.cookies.set("language", "en")  # a switcher's cookie from another site changes nothing
    for path in ("/admin/", "/admin/users/list", "/admin/students/list", "/admin/roles/list"):
        page = (await it.get(path, headers=ENGLISH)).text
        assert '<html lang="vi"' in page, path
        text = text_of(page)
        for english in ("Welcome to", "Filters", "Showing", "entries", "Export", "Search"):
            assert not re.search(rf"\b{english}\b", text), (path, english)


async def test_empty_values_and_lists_read_as_data(school: School) -> None:
    it = await school.login("it.quantri")
    role = school.ids[("roles", "gvcn")]
    page = (await it.get("/admin/roles/detail", params={"pk": str(role)})).text
    heading = re.search(r'id="record-heading">(.*?)</h3>', page, re.S)
    assert heading
    assert text_of(heading.group(1)) == "Giáo viên chủ nhiệm"  # the role's name, not its id
    detail = text_of(page)
    assert "['" not in detail
    assert "Xem, Sửa" in detail  # the homeroom role's actions on pupils
    accounts = text_of((await it.get("/admin/users/list")).text)
    assert "-null-" not in accounts
    assert "-empty-" not in accounts


async def test_a_change_log_entry_is_headed_and_sourced_in_words(school: School) -> None:
    entry = ChangeLogEntry(
        seq=1,
        token="t1",
        collection="roles",
        record_id=school.ids[("roles", "gvcn")],
        record_key=str(school.ids[("roles", "gvcn")]),
        record_label="Giáo viên chủ nhiệm",
        op="update",
        at=utcnow(),
        source="out_of_band",
        out_of_band=True,
        prev_hash="",
        hash="h1",
    )
    await entry.insert()
    bgh = await school.login("bgh.ht")
    page = (await bgh.get("/admin/change-log/detail", params={"pk": str(entry.id)})).text
    heading = re.search(r'id="record-heading">(.*?)</h3>', page, re.S)
    assert heading
    assert text_of(heading.group(1)).startswith("Sửa vai trò: Giáo viên chủ nhiệm — ")
    assert str(entry.id) not in text_of(heading.group(1))
    text = text_of(page)
    assert "Ngoài ứng dụng" in text
    assert "out_of_band" not in text


async def test_the_export_is_named_after_what_it_holds(school: School) -> None:
    # The panel's generic export (the pupil list has its own CSV export, named by app/exports).
    bgh = await school.login("bgh.ht")
    form = html.unescape((await bgh.get("/admin/inspections/list")).text)  # the dialog's form
    day = local(utcnow()).strftime("%d-%m-%Y")
    assert f'placeholder="bien-ban-kiem-tra-{day}"' in form
    response = await action(bgh, "inspections", "export", [], format="csv", scope="all")
    assert response.status_code == 200, response.text[:300]
    assert f'filename="bien-ban-kiem-tra-{day}.csv"' in response.headers["content-disposition"]
    # A name the user typed is kept.
    typed = await action(
        bgh, "inspections", "export", [], format="csv", scope="all", filename="kiem-tra-hk1"
    )
    assert 'filename="kiem-tra-hk1.csv"' in typed.headers["content-disposition"]


async def test_the_pupil_list_csv_is_named_after_what_it_holds(school: School) -> None:
    bgh = await school.login("bgh.ht")
    day = local(utcnow()).strftime("%d-%m-%Y")
    response = await action(bgh, "students", "export", [school.pupil_id("HS7A101")])
    assert response.status_code == 200, response.text[:300]
    assert f'filename="ho-so-hoc-sinh-{day}.csv"' in response.headers["content-disposition"]


async def test_the_home_page_offers_to_add_only_where_one_may(school: School) -> None:
    teacher = await school.login("gv.toan")
    home = (await teacher.get("/admin/")).text
    assert "/admin/students/create" not in home
    assert "Thêm mới" not in text_of(home)
    it = await school.login("it.quantri")
    home = (await it.get("/admin/")).text
    assert 'href="http://testserver/admin/users/create"' in home or "/admin/users/create" in home
    assert "/admin/change-log/create" not in home  # a journal nobody adds to


async def test_a_favicon_is_served_by_the_panel(school: School) -> None:
    it = await school.login("it.quantri")
    page = (await it.get("/admin/")).text
    icon = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', page)
    assert icon
    served = await it.get(icon.group(1))
    assert served.status_code == 200
    assert served.content.startswith(b"<svg")


async def test_forms_are_checked_by_the_server_not_the_browser(school: School) -> None:
    it = await school.login("it.quantri")
    page = (await it.get("/admin/users/create")).text
    assert "js/panel.js" in page  # turns the browser's own checks off (novalidate)
    script = (await it.get(re.search(r'src="([^"]*js/panel\.js)"', page).group(1))).text  # type: ignore[union-attr]
    assert "noValidate = true" in script
    # The server answers an empty form in Vietnamese, on the fields.
    response = await post(it, "/admin/users/create", [("full_name", "")])
    assert response.status_code == 422
    assert "Chưa nhập (bắt buộc)" in text_of(response.text) or "bắt buộc" in text_of(response.text)


async def test_empty_tool_forms_are_answered_by_the_server(school: School) -> None:
    it = await school.login("it.quantri")
    explain = await it.get("/admin/explain", params={"record": "HS7A101"})
    assert "Hãy nhập tên đăng nhập của tài khoản" in text_of(explain.text)
    explain = await it.get("/admin/explain", params={"username": "gv.toan"})
    assert "Hãy nhập mã hoặc tên bản ghi cần giải thích" in text_of(explain.text)
    preview = await post(it, "/admin/preview", {"username": " "})
    assert "Hãy nhập tên đăng nhập của tài khoản" in text_of(preview.text)


async def test_the_librarys_scripts_are_served_with_vietnamese_texts(school: School) -> None:
    it = await school.login("it.quantri")
    page = (await it.get("/admin/users/create")).text + (await it.get("/admin/users/list")).text
    for name in ("actions.js", "list.js", "form.js"):
        src = re.search(rf'src="([^"]*/js/{re.escape(name)}[^"]*)"', page)
        assert src, name
        script = await it.get(src.group(1))
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        for english in ("Something went wrong", "Failed to load", "Could not reach", "Search..."):
            assert english not in script.text, (name, english)
    assert "Không kết nối được máy chủ" in (await it.get("/admin/static/js/list.js")).text
    # Other library files are served as they are.
    assert (await it.get("/admin/static/js/utils.js")).status_code == 200


async def test_a_views_name_inside_a_sentence_is_lower_case(school: School) -> None:
    it = await school.login("it.quantri")
    assert "Thêm tài khoản" in text_of((await it.get("/admin/users/list")).text)
    assert "Thêm tài khoản" in text_of((await it.get("/admin/users/create")).text)
