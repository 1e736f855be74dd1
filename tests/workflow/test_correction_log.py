"""An applied correction's change-log entry names its request, and the history links to it."""

from __future__ import annotations

from app.workflow import requests
from app.workflow.requests import Proposal
from tests.admin.school import School
from tests.changelog.conftest import WaitFor, WorkerHandle, wait_for_entries, worker  # noqa: F401

from .helpers import TOAN_HK1, approved, as_user


async def test_the_log_entry_of_an_applied_correction_links_to_its_request(
    school: School,
    worker: WorkerHandle,  # noqa: F811
    wait_for_entries: WaitFor,  # noqa: F811
) -> None:
    worker.start()
    await wait_for_entries(1, timeout=5)
    await approved(school)
    teacher = await as_user(school, "gv.toan")
    an = school.pupil_id("HS7A101")
    request = await requests.propose(
        teacher, TOAN_HK1, an, [Proposal("gk", "9")], "Cộng nhầm điểm", "Bài kiểm tra giữa kỳ"
    )
    await requests.check_request(await as_user(school, "tt.toan"), str(request.id), None)
    await requests.approve_request(await as_user(school, "bgh.ht"), str(request.id), "Đồng ý")
    entries = await wait_for_entries(1, correction=str(request.id))
    assert len(entries) == 1
    entry = entries[0]
    assert entry["source"] == "correction"
    assert entry["record_key"] == an
    assert any(d["path"].endswith("TOAN.hk1.gk") for d in entry["diff"])

    board = await school.login("bgh.ht")
    page = await board.get("/admin/history", params={"id": an})
    assert page.status_code == 200
    assert f"/admin/corrections/{request.id}" in page.text
    detail = await board.get(f"/admin/change-log/detail?pk={entry['_id']}")
    assert detail.status_code == 200
    assert f"/admin/corrections/{request.id}" in detail.text
    shown = await board.get(f"/admin/corrections/{request.id}")
    assert shown.status_code == 200
    assert "Đã duyệt và áp dụng" in shown.text
