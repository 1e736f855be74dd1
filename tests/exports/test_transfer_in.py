"""Transfer in: a pupil's earlier years imported from the previous school's integration file,
checked against the schema, previewed, written as one logged change; existing years refused."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from app.exports import integration
from app.records.approved import approved_view
from models.exports import ExportEntry
from models.student import StudentRecord
from tests.admin.school import LAST_YEAR, YEAR, School, csrf
from tests.exports.helpers import give_year, pdf_text
from tests.factories import stored_pupil


async def previous_school_file(school: School) -> bytes:
    """What another school's system exports for the pupil HS7A201 (last year, 6A3)."""
    await give_year("HS7A201", YEAR, lock=True, score="7.5")
    board = await school.login("bgh.ht")
    document = json.loads(
        (await board.get("/admin/exports/year", params={"year": YEAR, "format": "json"})).content
    )
    pupil = next(p for p in document["DanhSachHocSinh"] if p["MaHocSinh"] == "HS7A201")
    year = pupil["KetQuaNamHoc"][0]
    year.update(NamHoc=LAST_YEAR, KhoiLop=6, TenLop="6A3")
    document.update(TenTruong="Trường THCS Nà Hang", NamHoc=LAST_YEAR, DanhSachHocSinh=[pupil])
    return json.dumps(document, ensure_ascii=False).encode()


async def upload(client, pk: str, data: bytes):  # type: ignore[no-untyped-def]
    await client.get(f"/admin/exports/pupil/{pk}/transfer-in")
    return await client.post(
        f"/admin/exports/pupil/{pk}/transfer-in",
        data={"csrftoken": csrf(client)},
        files={"file": ("hoc-ba.json", data, "application/json")},
    )


async def test_office_imports_an_earlier_year_after_a_preview(school: School) -> None:
    data = await previous_school_file(school)
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A101")
    page = await office.get(f"/admin/students/detail?pk={pk}")
    assert "Nhập năm học cũ (chuyển đến)" in page.text
    preview = await upload(office, pk, data)
    assert preview.status_code == 200
    assert "Trường THCS Nà Hang" in preview.text
    assert "Sẽ nhập" in preview.text
    assert LAST_YEAR not in (await stored_pupil({"code": "HS7A101"})).years  # type: ignore[union-attr]
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)
    assert payload
    applied = await office.post(
        f"/admin/exports/pupil/{pk}/transfer-in/apply",
        data={"csrftoken": csrf(office), "payload": payload.group(1)},
    )
    assert applied.status_code == 303, applied.text
    shown = await office.get(applied.headers["location"])
    assert f"Đã nhập vào học bạ năm học {LAST_YEAR}." in shown.text
    record = await stored_pupil({"code": "HS7A101"})
    assert record is not None
    year = record.years[LAST_YEAR]
    assert year.class_name == "6A3"
    assert year.grade == 6
    assert year.subjects["TOAN"].year_average == Decimal("7.5")
    assert year.learning.year == "K"
    assert year.locks.year.locked
    assert "Nà Hang" in (year.locks.year.by or "")
    assert record.meta is not None
    assert record.meta.source == "import"
    assert "Nà Hang" in (record.meta.reason or "")
    # The imported year is approved: it is in the official record book.
    view = approved_view(record.model_dump())
    assert view["years"][LAST_YEAR]["subjects"]["TOAN"]["year_average"] == Decimal("7.5")
    book = await office.get(f"/admin/exports/pupil/{pk}/record-book")
    assert "Lớp: 6A3" in pdf_text(book.content)
    assert await ExportEntry.find({"kind": "transfer_in"}).count() == 1
    # The same file again: the year exists now, nothing is overwritten.
    again = await upload(office, pk, data)
    assert "đã có trong học bạ" in again.text
    assert "transfer-apply" not in again.text


async def test_a_file_whose_averages_do_not_follow_from_its_marks_is_refused(
    school: School,
) -> None:
    document = json.loads(await previous_school_file(school))
    subjects = document["DanhSachHocSinh"][0]["KetQuaNamHoc"][0]["KetQuaMonHoc"]
    toan = next(s for s in subjects if s["MaMonHoc"] == "TOAN")
    toan["DiemTBCN"] = 9.9
    office = await school.login("vp.thuky")
    preview = await upload(office, school.pupil_id("HS7A101"), json.dumps(document).encode())
    assert "tính lại từ các điểm được 7,5" in preview.text
    assert "transfer-apply" not in preview.text


async def test_a_file_not_in_the_format_is_refused_with_the_reason(school: School) -> None:
    office = await school.login("vp.thuky")
    pk = school.pupil_id("HS7A101")
    broken = await upload(office, pk, b"{not json")
    assert "Tệp không phải JSON hợp lệ" in broken.text
    wrong = await upload(office, pk, json.dumps({"DinhDang": "KHAC"}).encode())
    assert "không đúng định dạng HOCBA-THCS 1.0" in wrong.text
    current = json.loads(await previous_school_file(school))
    current["DanhSachHocSinh"][0]["KetQuaNamHoc"][0]["NamHoc"] = YEAR
    refused = await upload(office, pk, json.dumps(current).encode())
    assert "đã có trong học bạ" in refused.text


async def test_only_those_granted_the_import_may_transfer_in(school: School) -> None:
    data = await previous_school_file(school)
    homeroom = await school.login("gv.cn7a1")
    pk = school.pupil_id("HS7A101")
    page = await homeroom.get(f"/admin/students/detail?pk={pk}")
    assert "Nhập năm học cũ" not in page.text
    assert (await homeroom.get(f"/admin/exports/pupil/{pk}/transfer-in")).status_code == 404
    refused = await homeroom.post(
        f"/admin/exports/pupil/{pk}/transfer-in/apply",
        data={
            "csrftoken": csrf(homeroom),
            "payload": __import__("base64").b64encode(data).decode(),
        },
    )
    assert refused.status_code == 403
    assert (
        LAST_YEAR
        not in (await StudentRecord.get_pymongo_collection().find_one({"code": "HS7A101"}))["years"]
    )  # type: ignore[index]
    assert integration.json_errors(json.loads(data)) == []
