"""The school year's integration files, the results workbook and the pupil list, read back:
validated against their schemas, re-read, decoded; limited to the exporter's rows and fields."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from lxml import etree
from openpyxl import load_workbook

from app.clock import local, utcnow
from app.errors import InvalidInput
from app.exports import integration, ministry, records
from models.role import Action, Permission, Role
from models.student import StudentRecord
from seed.roles import IDENTITY
from tests.admin.school import YEAR, School, api_headers, staff
from tests.exports.helpers import give_year, pdf_text


async def test_json_file_of_a_school_year_is_valid_and_complete(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "PAGE", 2)  # read in several pages
    await give_year("HS7A101", YEAR, lock=True, score="8.5")
    board = await school.login("bgh.ht")
    response = await board.get("/admin/exports/year", params={"year": YEAR, "format": "json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = json.loads(response.content)
    assert integration.json_errors(document) == []
    assert document["NamHoc"] == YEAR
    assert document["DinhDang"] == "HOCBA-THCS"
    pupils = {p["MaHocSinh"]: p for p in document["DanhSachHocSinh"]}
    assert set(pupils) == {f"HS7A{c}0{i}" for c in (1, 2) for i in (1, 2, 3)}  # not last year's
    an = pupils["HS7A101"]
    assert an["HoTen"] == "Nguyễn Văn An"
    assert an["GioiTinh"] == "Nam"
    assert an["NgaySinh"] == "2013-03-01"
    (year,) = an["KetQuaNamHoc"]
    assert year["NamHoc"] == YEAR
    assert year["TenLop"] == "7A1"
    assert year["KhoiLop"] == 7
    toan = next(s for s in year["KetQuaMonHoc"] if s["MaMonHoc"] == "TOAN")
    assert toan["TenMonHoc"] == "Toán"
    assert toan["DiemTBCN"] == 8.5
    assert toan["HocKy1"]["DiemDGGK"] == 8.5
    assert year["HocTapCN"] == "T"
    assert year["RenLuyenCN"] == "T"
    # A pupil whose year is not approved travels without results.
    binh = pupils["HS7A201"]["KetQuaNamHoc"][0]
    assert "HocTapCN" not in binh
    assert all("DiemTBCN" not in s for s in binh["KetQuaMonHoc"])


async def test_xml_file_validates_against_the_xsd(school: School) -> None:
    await give_year("HS7A101", YEAR, lock=True)
    office = await school.login("vp.thuky")
    response = await office.get("/admin/exports/year", params={"year": YEAR, "format": "xml"})
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert integration.xml_schema().validate(root)
    ns = {"h": ministry.XML_NAMESPACE}
    names = root.xpath("//h:HocSinh/h:HoTen/text()", namespaces=ns)
    assert "Ksor Thị H'Lan" in names
    marks = root.xpath(
        "//h:HocSinh[h:MaHocSinh='HS7A101']//h:MonHoc[h:MaMonHoc='TOAN']/h:DiemTBCN/text()",
        namespaces=ns,
    )
    assert marks == ["8"]


def test_a_file_that_breaks_the_schema_is_never_offered() -> None:
    document = integration.integration_document([], school="Trường A", school_year=YEAR)
    document["DanhSachHocSinh"] = [{"MaHocSinh": "X", "GioiTinh": "khác", "KetQuaNamHoc": []}]
    with pytest.raises(InvalidInput, match="không đúng lược đồ"):
        integration.json_file(document)
    with pytest.raises(InvalidInput, match="không đúng lược đồ"):
        integration.xml_file(document)


def test_the_mapping_reads_back_what_it_wrote() -> None:
    year = {
        "grade": 6,
        "class_name": "6A1",
        "conduct": {"hk1": "T", "hk2": "K"},
        "absences": {"hk1": {"excused": 2, "unexcused": 1}},
        "homeroom_comment": "Ngoan",
        "subjects": {
            "TOAN": {
                "kind": "score",
                "hk1": {"tx": [Decimal("8"), None, Decimal("7.5")], "gk": Decimal("9")},
                "reassessment": Decimal("6"),
            },
            "GDTC": {"kind": "comment", "hk1": {"ck": "Đ"}},
        },
        "awards": [{"title": "Học sinh tiêu biểu", "level": "trường"}],
    }
    entry = ministry.year_entry(YEAR, year)
    assert entry["RenLuyenHK2"] == "K"
    assert entry["NghiKhongPhepHK1"] == 1
    back = ministry.year_from_entry(json.loads(json.dumps(entry), parse_float=Decimal))
    assert back["subjects"]["TOAN"]["hk1"]["tx"] == [8, None, Decimal("7.5")]
    assert back["subjects"]["TOAN"]["reassessment"] == 6
    assert back["subjects"]["GDTC"]["hk1"]["ck"] == "Đ"
    assert back["conduct"] == {"hk1": "T", "hk2": "K"}
    assert back["absences"] == {"hk1": {"excused": 2, "unexcused": 1}}
    assert back["awards"] == [{"title": "Học sinh tiêu biểu", "level": "trường"}]


async def test_results_workbook_has_one_sheet_per_class(school: School) -> None:
    await give_year("HS7A101", YEAR, lock=True, score="9")
    office = await school.login("vp.thuky")
    response = await office.get(
        "/admin/exports/year", params={"year": YEAR, "format": "xlsx", "period": "year"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["7A1", "7A2"]
    sheet = book["7A1"]
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["STT", "Mã học sinh", "Họ và tên"]
    assert "Toán" in header
    rows = {r[1]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert set(rows) == {"HS7A101", "HS7A102", "HS7A103"}
    an = rows["HS7A101"]
    assert an[header.index("Toán")] == "9"
    assert an[header.index("Học tập")] == "Tốt"
    assert an[header.index("Danh hiệu")] == "Học sinh Xuất sắc"
    assert rows["HS7A102"][header.index("Toán")] in ("", None)  # not approved


async def _export_list(client, **params: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/admin/_api/students/action",
        params={"name": "export", **params},
        data={"format": "csv", "scope": "page"},
        headers=api_headers(client),
    )
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    day = local(utcnow()).strftime("%d-%m-%Y")  # named like the README says
    assert f'filename="ho-so-hoc-sinh-{day}.csv"' in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_pupil_list_csv_has_every_filtered_row_in_readable_columns(school: School) -> None:
    for number in range(30):  # more than one page of the list (25)
        pupil = StudentRecord.model_validate(
            {
                "code": f"HSX{number:03d}",
                "profile": {
                    "full_name": f"Lò Thị Ánh {number}",
                    "sex": "nu",
                    "birth_date": "2013-01-02",
                },
                "current": {"school_year": YEAR, "grade": 6, "class_name": "6A1"},
            }
        )
        await pupil.insert()
    office = await school.login("vp.thuky")
    await office.get("/admin/students/list")
    rows = await _export_list(office, _list_query="?filter=class_name__eq=6A1")
    assert len(rows) == 30
    first = rows[0]
    assert list(first)[:4] == ["Mã học sinh", "Mã định danh", "Họ và tên", "Giới tính"]
    assert first["Họ và tên"] == "Lò Thị Ánh 0"
    assert first["Giới tính"] == "Nữ"
    assert first["Ngày sinh"] == "02/01/2013"
    assert first["Tình trạng"] == "Đang học"
    assert first["Lớp"] == "6A1"
    assert "{" not in ",".join(first.values())
    everyone = await _export_list(office)
    assert len(everyone) == 37


async def test_unreadable_fields_are_absent_from_every_export(school: School) -> None:
    role = Role(
        code="xuat_han_che",
        name="Xuất hạn chế",
        permissions=[
            Permission(
                resource="students",
                actions=[Action.VIEW, Action.EXPORT],
                row_filter={"current.class_name": "7A1"},
                read_fields=[*IDENTITY, "years.*.class_name", "years.*.grade"],
            )
        ],
        version=1,
    )
    await role.insert()
    await staff("xuat.hanche", ["xuat_han_che"]).insert()
    await give_year("HS7A101", YEAR, lock=True)
    client = await school.login("xuat.hanche")
    await client.get("/admin/students/list")
    rows = await _export_list(client)
    assert {r["Mã học sinh"] for r in rows} == {"HS7A101", "HS7A102", "HS7A103"}
    assert "Nơi sinh" not in rows[0]
    assert "Dân tộc" not in rows[0]
    document = json.loads(
        (await client.get("/admin/exports/year", params={"year": YEAR, "format": "json"})).content
    )
    an = next(p for p in document["DanhSachHocSinh"] if p["MaHocSinh"] == "HS7A101")
    assert "NoiSinh" not in an
    assert "DanToc" not in an
    (year,) = an["KetQuaNamHoc"]
    assert year["TenLop"] == "7A1"
    assert year["KetQuaMonHoc"] == []
    assert "HocTapCN" not in year
    pdf = await client.get(f"/admin/exports/pupil/{school.pupil_id('HS7A101')}/record-book")
    text = pdf_text(pdf.content)
    assert "Nguyễn Văn An" in text
    assert "Hà Giang" not in text
    assert "Mông" not in text
    out = await client.get(f"/admin/exports/pupil/{school.pupil_id('HS7A201')}/record-book")
    assert out.status_code == 404
