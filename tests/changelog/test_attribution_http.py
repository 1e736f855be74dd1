"""Edits through the panel and the API end up in the log with the right person and reason;
role and user changes are logged like any other change."""

from __future__ import annotations

from app.changelog.verify import verify_chain
from tests.admin.school import School, api_headers, form_error, load_form, post, replace
from tests.changelog.conftest import WaitFor, WorkerHandle

YEAR = "2025-2026"


async def test_panel_edit_is_attributed_to_the_signed_in_user(
    school: School, mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    worker.start()
    baseline = len(await wait_for_entries(1, timeout=5))
    homeroom = await school.login("gv.cn7a1")
    path = f"/admin/students/edit?pk={school.pupil_id('HS7A101')}"
    response = await post(
        homeroom, path, replace(await load_form(homeroom, path), profile__birth_place="Xã Ea Tul")
    )
    assert response.status_code == 303, form_error(response.text)
    entries = await wait_for_entries(1, op="update", collection="students")
    entry = entries[-1]
    assert entry["actor_id"] == str(school.users["gv.cn7a1"].id)
    assert entry["actor_name"] == school.users["gv.cn7a1"].full_name
    assert entry["source"] == "admin"
    assert entry["out_of_band"] is False
    assert [(d["path"], d["old"], d["new"]) for d in entry["diff"]] == [
        ("profile.birth_place", "Hà Giang", "Xã Ea Tul")
    ]
    assert baseline >= 1


async def test_api_change_is_attributed_with_its_reason(
    school: School, mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    worker.start()
    await wait_for_entries(1, timeout=5)
    teacher = await school.login("gv.toan")
    path = f"years.{YEAR}.subjects.TOAN.hk1.gk"
    response = await teacher.patch(
        f"/api/v1/students/{school.pupil_id('HS7A101')}",
        json={"changes": {path: "7,5"}, "reason": "Chấm bài kiểm tra giữa kỳ"},
        headers=api_headers(teacher),
    )
    assert response.status_code == 200, response.text
    entry = (await wait_for_entries(1, op="update", collection="students"))[-1]
    assert entry["actor_id"] == str(school.users["gv.toan"].id)
    assert entry["reason"] == "Chấm bài kiểm tra giữa kỳ"
    assert entry["source"] == "api"
    assert any(d["path"] == path and str(d["new"]) == "7.5" for d in entry["diff"])


async def test_role_and_user_changes_are_logged(
    school: School, mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    worker.start()
    await wait_for_entries(1, timeout=5)
    it = await school.login("it.quantri")
    path = f"/admin/users/edit?pk={school.users['gv.toan'].id}"
    response = await post(
        it, path, replace(await load_form(it, path), full_name="Sùng Văn Toán (tổ Toán)")
    )
    assert response.status_code == 303, form_error(response.text)
    entry = (
        await wait_for_entries(
            1, collection="users", op="update", record_key=str(school.users["gv.toan"].id)
        )
    )[-1]
    assert entry["actor_id"] == str(school.users["it.quantri"].id)
    assert entry["out_of_band"] is False
    assert [(d["path"], d["new"]) for d in entry["diff"]] == [
        ("full_name", "Sùng Văn Toán (tổ Toán)")
    ]
    # Password hashes never appear in the log, even as a changed field.
    async for logged in mdb["change_log"].find({"collection": "users"}):
        assert "password_hash" not in str(logged.get("snapshot") or {})
    assert (await verify_chain(mdb)).ok
