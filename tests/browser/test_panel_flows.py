"""Staff flows through the panel in a real browser: search, edit, refusal, role filters.

The cast (a homeroom teacher, a subject teacher from elsewhere, the IT account, a pupil) is read
from the seeded database, so the tests follow the demo school instead of hard-coding its names.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from seed.catalogue import CURRENT_YEAR
from tests.browser.support import Pages, School

try:
    from playwright.async_api import expect
except ImportError:  # the browser_available fixture skips (or fails in CI) with the reason
    expect = None

NEW_BIRTH_PLACE = "Xã Ea Tiêu, huyện Cư Kuin, tỉnh Đắk Lắk"
IMPACT_NOTICE = "Thay đổi này làm thay đổi phạm vi dữ liệu"
TOTAL = re.compile(r"tổng số (\d+) bản ghi")


# What the tests read about pupils (one query: the embedded server copies whole documents).
PUPIL_FIELDS = {
    "code": 1,
    "search_name": 1,
    "current": 1,
    "version": 1,
    "profile.full_name": 1,
    "profile.birth_place": 1,
    "profile.guardians": 1,
}


@dataclass(frozen=True)
class Cast:
    gvcn: str  # a homeroom teacher (also teaches some classes, as in the demo school)
    homeroom: str  # their class
    outsider: str  # a subject teacher who does not teach that class (no other role)
    cntt: str  # the IT account
    extra_class: str  # a class the homeroom teacher cannot see today
    visible_classes: frozenset[str]  # what the homeroom teacher sees today
    pupils: tuple[dict[str, Any], ...]  # every pupil of the current year, by code

    def count(self, classes: Iterable[str]) -> int:
        wanted = set(classes)
        return sum(1 for p in self.pupils if p["current"]["class_name"] in wanted)

    def searchable_pupil(self, index: int = 0) -> dict[str, Any]:
        """A homeroom pupil with guardians, an accented name and a search key of their own."""
        keys = Counter(p["search_name"] for p in self.pupils)
        found = [
            p
            for p in self.pupils
            if p["current"]["class_name"] == self.homeroom
            and _has_diacritics(p["profile"]["full_name"])
            and keys[p["search_name"]] == 1
            and p["profile"].get("guardians")
        ]
        assert len(found) > index, "no pupil with a unique, accented name in the homeroom class"
        return found[index]


def _teaching(user: dict[str, Any]) -> set[str]:
    return {t["class_name"] for t in user.get("teaching", [])}


def _has_diacritics(text: str) -> bool:
    return any(unicodedata.category(c) == "Mn" for c in unicodedata.normalize("NFD", text))


@pytest.fixture(scope="module")
def cast(school: School) -> Cast:
    users = list(school.db.users.find({}, sort=[("username", 1)]))
    pupils = tuple(
        school.db.students.find(
            {"current.school_year": CURRENT_YEAR}, PUPIL_FIELDS, sort=[("code", 1)]
        )
    )
    classes = sorted({p["current"]["class_name"] for p in pupils})
    pure_gvbm = [u for u in users if u["roles"] == ["gvbm"]]
    cntt = next(u["username"] for u in users if "cntt" in u["roles"])
    for gvcn in users:
        if "gvcn" not in gvcn["roles"] or "tocm" in gvcn["roles"]:
            continue  # a group head (tocm) sees every class: no refusal to show
        homeroom = gvcn["homeroom_classes"][0]
        outsider = next((u for u in pure_gvbm if homeroom not in _teaching(u)), None)
        seen = frozenset(gvcn["homeroom_classes"]) | _teaching(gvcn)
        extra = next((c for c in classes if c not in seen), None)
        if outsider is None or extra is None:
            continue
        return Cast(gvcn["username"], homeroom, outsider["username"], cntt, extra, seen, pupils)
    raise AssertionError("the demo school has no homeroom teacher with an outsider colleague")


@pytest.fixture
def restore_roles(school: School) -> Iterator[None]:
    """Put the roles back as seeded after a test that edits them."""
    saved = list(school.db.roles.find())
    yield
    for role in saved:
        school.db.roles.replace_one({"_id": role["_id"]}, role)


async def list_total(page: Any) -> int:
    text = await page.locator("body").inner_text()
    match = TOTAL.search(text)
    assert match, f"no 'tổng số … bản ghi' on {page.url}"
    return int(match.group(1))


async def open_student_list(page: Any) -> None:
    await page.get_by_role("link", name="Hồ sơ học sinh").first.click()
    await page.wait_for_url(re.compile(r"/admin/students/list"))


async def search(page: Any, text: str) -> None:
    box = page.locator("input[name=q]")
    await box.fill(text)
    await box.press("Enter")
    await page.wait_for_url(re.compile(r"[?&]q="))


async def save(page: Any) -> None:
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await page.wait_for_load_state()


async def edit_birth_place(pages: Pages, page: Any, value: str) -> None:
    await page.get_by_role("button", name="Sửa", exact=True).click()  # an <a role=button>
    await page.wait_for_url(re.compile(r"/admin/students/edit"))
    await page.fill("input[name='profile.birth_place']", value)
    await pages.shot(page, "edit-form")
    await save(page)


# -- a: a homeroom teacher finds a pupil without typing accents and corrects the profile ---------
async def test_gvcn_finds_pupil_without_accents_and_edits_profile(
    pages: Pages, school: School, cast: Cast
) -> None:
    pupil = cast.searchable_pupil()
    name = pupil["profile"]["full_name"]
    page = await pages.login(cast.gvcn)
    await pages.shot(page, "signed-in")
    await open_student_list(page)
    assert await list_total(page) == cast.count(cast.visible_classes)
    await pages.shot(page, "list")

    await search(page, pupil["search_name"])  # e.g. "thi bri" for "Thị Bri"
    rows = page.locator("table tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(name)
    await expect(rows.first).to_contain_text(cast.homeroom)
    await pages.shot(page, "search-without-accents")

    await rows.first.locator("a[href*='/admin/students/detail']").first.click()
    await page.wait_for_url(re.compile(r"/admin/students/detail"))
    detail_url = page.url
    await expect(page.locator("body")).to_contain_text(name)
    await expect(page.locator("body")).to_contain_text(pupil["profile"]["birth_place"])
    await pages.shot(page, "detail-before")

    await edit_birth_place(pages, page, NEW_BIRTH_PLACE)
    await expect(page.locator("body")).to_contain_text("Đã cập nhật")
    await pages.shot(page, "saved")

    await page.goto(detail_url)
    await expect(page.locator("body")).to_contain_text(NEW_BIRTH_PLACE)
    await pages.shot(page, "detail-after")
    stored = school.db.students.find_one({"_id": pupil["_id"]})
    assert stored["profile"]["birth_place"] == NEW_BIRTH_PLACE
    assert stored["version"] == pupil["version"] + 1


async def test_gvcn_profile_edit_keeps_the_guardians(
    pages: Pages, school: School, cast: Cast
) -> None:
    """Saving the profile form must not touch what the form did not change.

    Regression: the guardians' inputs were missing from the form (their rule path was
    "guardians.*" instead of "profile.guardians.*") and saving erased every guardian.
    """
    pupil = cast.searchable_pupil(index=1)
    guardians = [g["full_name"] for g in pupil["profile"]["guardians"]]
    page = await pages.login(cast.gvcn)
    await page.goto(school.url(f"/admin/students/detail?pk={pupil['_id']}"))
    for guardian in guardians:
        await expect(page.locator("body")).to_contain_text(guardian)
    await pages.shot(page, "detail-before")
    await edit_birth_place(pages, page, NEW_BIRTH_PLACE)
    await page.goto(school.url(f"/admin/students/detail?pk={pupil['_id']}"))
    await pages.shot(page, "detail-after")
    stored = school.db.students.find_one({"_id": pupil["_id"]})
    assert [g["full_name"] for g in stored["profile"]["guardians"]] == guardians
    body = await page.locator("body").inner_text()
    assert all(guardian in body for guardian in guardians)


# -- b: a subject teacher from other classes is refused the same pupil ----------------------------
async def test_gvbm_of_other_classes_gets_404_for_the_pupil(
    pages: Pages, school: School, cast: Cast
) -> None:
    pupil = cast.searchable_pupil()
    page = await pages.login(cast.outsider)
    await open_student_list(page)
    await search(page, pupil["search_name"])
    assert await list_total(page) == 0
    await pages.shot(page, "search-finds-nothing")

    # Following a shared link to the pupil's record book.
    response = await page.goto(school.url(f"/admin/students/detail?pk={pupil['_id']}"))
    assert response is not None
    assert response.status == 404
    body = page.locator("body")
    await expect(body).to_contain_text("404")
    await expect(body).not_to_contain_text(pupil["profile"]["full_name"])
    await expect(body).not_to_contain_text(pupil["code"])
    await pages.shot(page, "detail-refused")


# -- c: the IT group widens the homeroom teachers' row filter ------------------------------------
async def _students_filter_box(page: Any) -> Any:
    names = await page.locator("select[name^='permissions.'][name$='.resource']").evaluate_all(
        "els => els.filter(e => e.value === 'students').map(e => e.name)"
    )
    assert len(names) == 1, f"one students permission expected in the gvcn role, got {names}"
    return page.locator(f"textarea[name='{names[0].removesuffix('.resource')}.row_filter']")


@pytest.mark.usefixtures("restore_roles")
async def test_cntt_widens_gvcn_row_filter_with_impact_confirmation(
    pages: Pages, school: School, cast: Cast
) -> None:
    before = cast.count(cast.visible_classes)
    after = cast.count(cast.visible_classes | {cast.extra_class})
    teacher = await pages.login(cast.gvcn)
    await open_student_list(teacher)
    assert await list_total(teacher) == before
    await pages.shot(teacher, "gvcn-list-before")

    admin = await pages.login(cast.cntt)
    await admin.goto(school.url("/admin/roles/list"))
    row = admin.locator("tr", has=admin.get_by_text("gvcn", exact=True))
    await row.locator("a[href*='/admin/roles/edit']").click()
    await admin.wait_for_url(re.compile(r"/admin/roles/edit"))
    await pages.shot(admin, "role-form")
    widened = {
        "current.class_name": {"$in": [cast.homeroom, cast.extra_class]},
        "current.school_year": "$user.current_school_year",
    }
    await (await _students_filter_box(admin)).fill(json.dumps(widened))
    await save(admin)
    await pages.shot(admin, "impact-confirmation", full_page=False)  # the notice is on top
    notice = await admin.locator("body").inner_text()
    assert IMPACT_NOTICE in notice, "the first save must show the impact and ask to confirm"
    row = admin.locator("#impact-table tr", has_text=f"({cast.gvcn})")
    cells = [" ".join(c.split()) for c in await row.locator("td").all_inner_texts()]
    assert cells[1:4] == ["Hồ sơ học sinh", str(before), str(after)], cells
    role = school.db.roles.find_one({"code": "gvcn"})
    assert cast.extra_class not in json.dumps(role["permissions"]), "stored before confirming"

    await admin.get_by_role("button", name="Xác nhận và lưu").click()  # confirms
    await admin.wait_for_url(re.compile(r"/admin/roles/list"))
    await expect(admin.locator("body")).to_contain_text("Đã cập nhật")
    await pages.shot(admin, "role-saved")
    role = school.db.roles.find_one({"code": "gvcn"})
    assert cast.extra_class in json.dumps(role["permissions"])

    await teacher.reload()
    assert await list_total(teacher) == after
    await pages.shot(teacher, "gvcn-list-after")


@pytest.fixture(autouse=True)
async def _app_still_running(school: School) -> AsyncIterator[None]:
    yield
    assert school.process.poll() is None, f"the app under test died; see {school.log}"
