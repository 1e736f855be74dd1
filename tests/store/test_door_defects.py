"""Each defect the single data-access layer closes, tested through the app as users reach it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from app.context import Actor
from app.store.records import update_record
from app.store.writes import OUT_OF_SCOPE
from models.changelog import ChangeLogEntry
from models.common import WriteSource
from models.role import Permission, Role
from models.student import StudentRecord
from models.user import User
from tests.admin.school import YEAR, School, api_headers, form_error, load_form, post
from tests.factories import stored_pupil

LOCKED_HK1 = {f"years.{YEAR}.locks.hk1.locked": True}


async def stored(code: str) -> dict[str, Any]:
    raw = await StudentRecord.get_pymongo_collection().find_one({"code": code})
    assert raw is not None
    return raw


async def patch(client: httpx.AsyncClient, pk: str, changes: dict[str, Any]) -> httpx.Response:
    await client.get("/admin/")
    return await client.patch(
        f"/api/v1/students/{pk}", json={"changes": changes}, headers=api_headers(client)
    )


async def test_saving_an_unchanged_pupil_form_keeps_what_the_form_does_not_show(
    school: School,
) -> None:
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": "HS7A101"}, {"$set": {"profile.guardians.0.birth_year": 1985}}
    )
    office = await school.login("vp.thuky")
    path = f"/admin/students/edit?pk={school.pupil_id('HS7A101')}"
    response = await post(office, path, await load_form(office, path))
    assert response.status_code == 303, form_error(response.text)
    guardian = (await stored("HS7A101"))["profile"]["guardians"][0]
    assert guardian["birth_year"] == 1985
    assert guardian["full_name"] == "Mẹ của Nguyễn Văn An"


async def test_editing_a_guardian_keeps_their_hidden_year_of_birth(school: School) -> None:
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": "HS7A101"}, {"$set": {"profile.guardians.0.birth_year": 1985}}
    )
    office = await school.login("vp.thuky")
    path = f"/admin/students/edit?pk={school.pupil_id('HS7A101')}"
    form = await load_form(office, path)
    phone = next(k for k, _ in form if ".guardians." in k and k.endswith(".phone"))
    changed = [(k, "0987654321" if k == phone else v) for k, v in form]
    response = await post(office, path, changed)
    assert response.status_code == 303, form_error(response.text)
    pupil = await stored_pupil({"code": "HS7A101"})
    assert pupil is not None
    guardian = pupil.profile.guardians[0]
    assert (guardian.phone, guardian.birth_year) == ("0987654321", 1985)


async def test_writing_a_whole_block_cannot_change_a_locked_term(school: School) -> None:
    await StudentRecord.get_pymongo_collection().update_one(
        {"code": "HS7A101"}, {"$set": LOCKED_HK1}
    )
    homeroom = await school.login("gv.cn7a1")
    pk = school.pupil_id("HS7A101")
    block = {"hk1": {"excused": 3, "unexcused": 1}, "hk2": {"excused": 0, "unexcused": 0}}
    response = await patch(homeroom, pk, {f"years.{YEAR}.absences": block})
    assert response.status_code == 409, response.text
    assert "Học kỳ I" in response.json()["detail"]
    assert (await stored("HS7A101"))["years"][YEAR].get("absences", {}) == {}
    # The open term alone goes through, written as a block too.
    open_term = {"hk2": {"excused": 2, "unexcused": 0}}
    response = await patch(homeroom, pk, {f"years.{YEAR}.absences": open_term})
    assert response.status_code == 200, response.text
    assert (await stored("HS7A101"))["years"][YEAR]["absences"]["hk2"]["excused"] == 2


async def test_a_write_that_would_move_a_pupil_out_of_scope_is_refused_everywhere_alike(
    school: School,
) -> None:
    tester = await school.login("kt.thu")  # pupils of 7A1 only, writes "current"
    pk = school.pupil_id("HS7A101")
    response = await patch(tester, pk, {"current.class_name": "7A2"})
    assert response.status_code == 403
    assert response.json()["detail"] == OUT_OF_SCOPE
    path = f"/admin/students/edit?pk={pk}"
    form = await load_form(tester, path)
    moved = [(k, "7A2" if k.endswith("class_name") else v) for k, v in form]
    page = await post(tester, path, moved)
    assert page.status_code == 422
    assert OUT_OF_SCOPE in form_error(page.text)
    assert (await stored("HS7A101"))["current"]["class_name"] == "7A1"
    assert (await stored("HS7A101"))["version"] == 1  # nothing written, nothing undone


async def _log_entry(school: School, code: str, seq: int) -> ChangeLogEntry:
    pupil = school.pupils[code]
    entry = ChangeLogEntry(
        seq=seq,
        token=f"t{seq}",
        collection="students",
        record_id=pupil.id,
        record_key=str(pupil.id),
        record_label=f"{pupil.profile.full_name} ({code})",
        op="update",
        at=datetime(2026, 11, 30, 8, 0),
        actor_name="Sùng Văn Toán",
        reason=f"Sửa điểm {code}",
        diff=[
            {
                "path": f"years.{YEAR}.subjects.TOAN.hk1.gk",
                "title": "Toán › Học kỳ I › Đánh giá giữa kỳ",
                "old": "7",
                "new": "9",
            }
        ],
        prev_hash="",
        hash=f"h{seq}",
    )
    await entry.insert()
    return entry


async def test_the_global_log_shows_only_entries_of_records_in_the_readers_scope(
    school: School,
) -> None:
    # The homeroom teacher of 7A1 is also allowed to read the change log.
    await Role(
        code="doc_nhat_ky",
        name="Đọc nhật ký",
        permissions=[Permission(resource="change_log", actions=["view"], read_fields=["**"])],
    ).insert()
    await User.get_pymongo_collection().update_one(
        {"username": "gv.cn7a1"}, {"$push": {"roles": "doc_nhat_ky"}}
    )
    own = await _log_entry(school, "HS7A101", 1)
    other = await _log_entry(school, "HS7A201", 2)
    homeroom = await school.login("gv.cn7a1")
    listing = await homeroom.get("/admin/change-log/list", params={"page_size": "100"})
    assert listing.status_code == 200
    assert "Sửa điểm HS7A101" in listing.text
    assert "Sửa điểm HS7A201" not in listing.text
    detail = await homeroom.get(f"/admin/change-log/detail?pk={own.id}")
    assert detail.status_code == 200, detail.text[-2000:]
    assert (await homeroom.get(f"/admin/change-log/detail?pk={other.id}")).status_code == 404
    # The principal board reads both.
    board = await school.login("bgh.ht")
    assert (await board.get(f"/admin/change-log/detail?pk={other.id}")).status_code == 200


async def test_search_never_matches_a_field_the_searcher_may_not_read(school: School) -> None:
    await update_record(
        school.pupils["HS7A101"].id,
        {"moet_id": "6600000198"},
        source=WriteSource.ADMIN,
        actor=Actor(id="t", name="Kiểm thử", role="vanphong"),
    )
    teacher = await school.login("gv.toan")  # may not read Mã định danh
    for term in ("6600000198", "66000", "6"):
        page = await teacher.get("/admin/students/list", params={"q": term})
        assert page.status_code == 200
        assert school.pupil_id("HS7A101") not in page.text, term
    office = await school.login("vp.thuky")  # may read it
    page = await office.get("/admin/students/list", params={"q": "6600000198"})
    assert school.pupil_id("HS7A101") in page.text


async def test_typed_search_text_is_literal_in_every_list(school: School) -> None:
    it = await school.login("it.quantri")
    for key in ("classes", "subjects", "school-years", "users", "roles", "change-log"):
        for term in (".*", "(", "(.*){9}Q", "[", "a{99999}"):
            page = await it.get(f"/admin/{key}/list", params={"q": term})
            assert page.status_code == 200, (key, term)
    classes = await it.get("/admin/classes/list", params={"q": ".*", "page_size": "100"})
    assert str(school.ids[("classes", "7A1")]) not in classes.text
    found = await it.get("/admin/classes/list", params={"q": "7a1"})
    assert str(school.ids[("classes", "7A1")]) in found.text


async def test_an_account_cannot_grant_itself_roles(school: School) -> None:
    it = await school.login("it.quantri")
    path = f"/admin/users/edit?pk={school.users['it.quantri'].id}"
    form = await load_form(it, path)
    response = await post(it, path, [*form, ("roles", "bgh")])
    assert response.status_code == 422
    assert "chính tài khoản" in response.text
    stored_user = await User.get_pymongo_collection().find_one({"username": "it.quantri"})
    assert stored_user is not None
    assert stored_user["roles"] == ["cntt"]


async def test_granting_the_principal_board_role_is_journalled(school: School) -> None:
    it = await school.login("it.quantri")
    path = f"/admin/users/edit?pk={school.users['gv.cn7a2'].id}"
    form = await load_form(it, path)
    response = await post(it, path, [*form, ("roles", "bgh")])
    assert response.status_code == 303, form_error(response.text)
    events = User.get_pymongo_collection().database["auth_events"]
    granted = await events.find_one({"kind": "privileged_role_granted", "username": "gv.cn7a2"})
    assert granted is not None
    board = await school.login("bgh.ht")
    journal = await board.get("/admin/auth-events/list", params={"page_size": "100"})
    assert "Cấp vai trò Ban giám hiệu hoặc CNTT" in journal.text
