"""Sign-ins stay in the sign-in journal, out of the change log; a pupil's history shows only
real changes, the recomputed results folded under the change that caused them."""

from __future__ import annotations

import re

from pymongo.asynchronous.database import AsyncDatabase

from app.context import Actor
from app.store.records import update_record
from models.auth import AuthEvent, AuthEventKind
from models.common import WriteSource
from tests.admin.school import School
from tests.changelog.conftest import WaitFor, WorkerHandle

YEAR = "2025-2026"
TX = f"years.{YEAR}.subjects.TOAN.hk1.tx"


async def test_a_sign_in_adds_nothing_to_the_change_log(
    school: School, mdb: AsyncDatabase, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    worker.start()
    await wait_for_entries(1, timeout=5)
    before = await wait_for_entries(0, collection="users", kind="change")
    await school.login("gv.toan")
    assert await AuthEvent.find({"kind": AuthEventKind.LOGIN_SUCCESS}).count() >= 1
    # A later change the worker follows: once it is logged, the sign-in would have been too.
    role = school.ids[("roles", "tam_thoi")]
    await mdb["roles"].update_one({"_id": role}, {"$set": {"description": "sau"}})
    await wait_for_entries(1, collection="roles", record_key=str(role))
    assert await wait_for_entries(0, collection="users", kind="change") == before == []


async def test_history_folds_recomputed_results_and_drops_no_op_rows(
    school: School, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    worker.start()
    await wait_for_entries(1, timeout=5)
    teacher = Actor(id=str(school.users["gv.toan"].id), name="Sùng Văn Toán", role="gvbm")
    pid = school.pupils["HS7A101"].id
    await update_record(
        pid,
        {f"{TX}": ["7", "8", "6", "9", "5", "8", "7", "6", "9", "8", "7", "6"]},
        source=WriteSource.GRID,
        actor=teacher,
        reason="Nhập điểm thường xuyên",
    )
    await wait_for_entries(1, op="update", collection="students")
    client = await school.login("gv.cn7a1")
    page = (await client.get("/admin/history", params={"id": school.pupil_id("HS7A101")})).text
    entry = page[page.index("Nhập điểm thường xuyên") :]
    entry = entry[: entry.index("history-entry") if "history-entry" in entry else len(entry)]
    shown = entry.split("<details", 1)[0]
    numbers = [int(n) for n in re.findall(r"Đánh giá thường xuyên (\d+)", shown)]
    assert numbers == sorted(numbers), "list positions in numeric order (11 after 4)"
    assert len(numbers) == 12
    # What the engine recomputed is folded under the change, not listed among the entries.
    assert "Kết quả tính lại theo thay đổi trên" in entry
    assert not re.search(r"<td>(\S+)</td><td>\1</td>", shown), "no row whose value stays the same"
