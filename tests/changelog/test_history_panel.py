"""History, revert and the global log in the panel, as each role sees them."""

from __future__ import annotations

import re

from app.context import Actor
from app.store.records import update_record
from models.common import WriteSource
from tests.admin.school import School, post
from tests.changelog.conftest import WaitFor, WorkerHandle

YEAR = "2025-2026"
TOAN = f"years.{YEAR}.subjects.TOAN.hk1.gk"
GDTC = f"years.{YEAR}.subjects.GDTC.hk1.gk"


async def _history(school: School, username: str, code: str, **params: str) -> tuple[int, str]:
    client = await school.login(username)
    response = await client.get("/admin/history", params={"id": school.pupil_id(code), **params})
    return response.status_code, response.text


async def _scores(school: School, worker: WorkerHandle, wait: WaitFor) -> None:
    worker.start()
    await wait(1, timeout=5)
    teacher = Actor(id=str(school.users["gv.toan"].id), name="Sùng Văn Toán", role="gvbm")
    pid = school.pupils["HS7A101"].id
    await update_record(
        pid, {TOAN: "4"}, source=WriteSource.GRID, actor=teacher, reason="Nhập điểm giữa kỳ"
    )
    await update_record(pid, {GDTC: "Đ"}, source=WriteSource.GRID, actor=teacher)
    await update_record(
        pid, {TOAN: "9"}, source=WriteSource.GRID, actor=teacher, reason="Chấm phúc khảo"
    )
    await wait(3, op="update", collection="students")


async def test_history_shows_readable_fields_only(
    school: School, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    await _scores(school, worker, wait_for_entries)
    status, page = await _history(school, "gv.cn7a1", "HS7A101")
    assert status == 200
    assert "Toán › Học kỳ I › Đánh giá giữa kỳ" in page
    assert "› Giáo dục thể chất ›" in page
    assert "Chấm phúc khảo" in page
    status, page = await _history(school, "gv.toan", "HS7A101")
    assert status == 200
    assert "Toán › Học kỳ I › Đánh giá giữa kỳ" in page
    assert "› Giáo dục thể chất ›" not in page  # not this teacher's subject


async def test_history_of_another_class_is_404(
    school: School, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    await _scores(school, worker, wait_for_entries)
    status, page = await _history(school, "gv.cn7a2", "HS7A101")
    assert status == 404
    assert "Toán" not in page


async def test_history_filters_by_subject_and_author(
    school: School, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    await _scores(school, worker, wait_for_entries)
    _, page = await _history(school, "bgh.ht", "HS7A101", subject="GDTC")
    assert "› Giáo dục thể chất ›" in page
    assert "Đánh giá giữa kỳ</td><td>4" not in page
    _, page = await _history(school, "bgh.ht", "HS7A101", author="khong co ai")
    assert "Chưa có thay đổi nào phù hợp" in page


async def test_revert_through_the_panel(
    school: School, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    await _scores(school, worker, wait_for_entries)
    teacher = await school.login("gv.toan")
    pid = school.pupil_id("HS7A101")
    page = (await teacher.get("/admin/history", params={"id": pid})).text
    forms = re.findall(
        r'name="to_version" value="(\d+)".*?name="expected_version" value="(\d+)"', page, re.S
    )
    assert forms, "the subject teacher is offered a revert"
    current = int(forms[0][1])
    response = await post(
        teacher,
        "/admin/history/revert",
        {"id": pid, "to_version": str(current - 1), "expected_version": str(current), "reason": ""},
    )
    assert response.status_code == 303
    follow = (await teacher.get(response.headers["location"])).text
    assert "Cần ghi lý do hoàn tác" in follow
    response = await post(
        teacher,
        "/admin/history/revert",
        {
            "id": pid,
            "to_version": str(current - 1),
            "expected_version": str(current),
            "reason": "Điểm phúc khảo nhập nhầm học sinh",
        },
    )
    follow = (await teacher.get(response.headers["location"])).text
    assert f"Đã hoàn tác hồ sơ về phiên bản {current - 1}" in follow
    saved = await school.pupils["HS7A101"].get(school.pupils["HS7A101"].id)
    assert str(saved.years[YEAR].subjects["TOAN"].hk1.gk) == "4"


async def test_global_log_and_out_of_band_list(
    school: School, mdb, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    await _scores(school, worker, wait_for_entries)
    await mdb["students"].update_one(
        {"_id": school.pupils["HS7A102"].id}, {"$set": {"profile.birth_place": "Sửa bằng tay"}}
    )
    await wait_for_entries(1, out_of_band=True)
    principal = await school.login("bgh.ht")
    listing = await principal.get("/admin/out-of-band/list")
    assert listing.status_code == 200
    assert "(HS7A102)" in listing.text  # the hand-made change
    assert "(HS7A101)" not in listing.text  # the teacher's changes went through the app
    assert '<span class="badge bg-warning text-dark">Có</span>' in listing.text  # flagged
    everything = await principal.get("/admin/change-log/list", params={"q": "HS7A101"})
    assert "(HS7A101)" in everything.text
    # In-app changes read "Không" in that column, not a red cross.
    assert '<span class="text-secondary">Không</span>' in everything.text
    assert '<span class="badge bg-warning text-dark">Có</span>' not in everything.text
    teacher = await school.login("gv.cn7a1")
    assert (await teacher.get("/admin/change-log/list")).status_code == 403
