"""The record-book page reads like the official form: unambiguous mark lists, the form's column
names for score and comment subjects, and every missing item listed."""

from __future__ import annotations

import re
from decimal import Decimal

from app.context import Actor
from app.store.records import update_record
from models.common import WriteSource
from tests.admin.school import YEAR, School

WRITER = Actor(id="t", name="Kiểm thử", role="system")


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_the_record_book_reads_like_the_official_form(school: School) -> None:
    subject = f"years.{YEAR}.subjects"
    await update_record(
        school.pupils["HS7A101"].id,
        {
            f"{subject}.TOAN.hk1.tx": [Decimal("5"), Decimal("5"), Decimal("5.5")],
            f"{subject}.GDTC.hk1.tx": ["Đ"],
        },
        source=WriteSource.API,
        actor=WRITER,
    )
    office = await school.login("vp.thuky")
    page = await office.get(f"/admin/students/detail?pk={school.pupil_id('HS7A101')}")
    assert page.status_code == 200
    shown = text(page.text)
    assert "5 · 5 · 5,5" in shown  # not "5, 5, 5,5"
    assert "Môn học đánh giá bằng điểm số" in shown
    assert "Môn học đánh giá bằng nhận xét" in shown
    for heading in ("ĐTBmhk", "ĐTBmcn", "KQ cả năm", "ĐĐGgk", "ĐĐGck"):
        assert heading in shown
    assert "TB/KQ" not in shown
    # Every missing item is there to read, behind one line that counts them.
    details = re.search(r"<details>(.*?)</details>", page.text, re.S)
    assert details is not None
    items = re.findall(r"<li>", details.group(1))
    count = re.search(r"(\d+) mục còn thiếu", details.group(1))
    assert count is not None
    assert len(items) == int(count.group(1)) > 6
