"""Year-end promotion in the change log: one entry per pupil moved, all of one batch (one
request), each with the reason and the office member who confirmed it."""

from __future__ import annotations

from app.office.promotion import apply
from app.store import access_for
from tests.admin.school import YEAR, School
from tests.changelog.conftest import WaitFor, WorkerHandle
from tests.office.year_end import NEXT, finish_year

REASON = f"Chuyển năm học {YEAR} → {NEXT}"


async def test_each_pupil_moved_is_logged_with_the_reason(
    school: School, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    await finish_year(school)
    # The log's first start records what exists; the promotion comes after it.
    assert await worker.start().caught_up()
    result = await apply(await access_for(school.users["vp.thuky"]))
    entries = await wait_for_entries(result.written, reason=REASON)
    assert len(entries) == result.written == 7
    assert {e["actor_name"] for e in entries} == {"Mùa Thị Văn"}
    assert len({e["request_id"] for e in entries}) == 1  # one batch
    moved = {e["record_label"]: {c["path"] for c in e["diff"]} for e in entries}
    assert "current.class_name" in moved["Nguyễn Văn An (HS7A101)"]
    assert "status" in moved["Giàng Thị Ba (HS9A101)"]
