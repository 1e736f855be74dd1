"""Sensitive fields are ciphertext in the database, plaintext only to readers with the right,
masked in the change log; uniqueness and exact search still work."""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from bson.binary import Binary

from app.changelog.audited import MASK
from app.cli import main
from app.config import Settings
from app.context import Actor
from app.errors import Conflict
from app.store.records import update_record
from models.common import WriteSource
from models.student import StudentRecord
from tests.admin.school import School, api_headers
from tests.changelog.conftest import WaitFor, WorkerHandle

OFFICE = Actor(id="t", name="Văn phòng", role="vanphong")
MOET = "6600000198"


async def set_id(school: School, code: str, value: str, phone: str = "0912345678") -> None:
    changes = {"moet_id": value, "profile.guardians.0.phone": phone}
    await update_record(school.pupils[code].id, changes, source=WriteSource.ADMIN, actor=OFFICE)


async def raw(code: str) -> dict:
    found = await StudentRecord.get_pymongo_collection().find_one({"code": code})
    assert found is not None
    return found


async def api_get(client: httpx.AsyncClient, pk: str) -> dict:
    response = await client.get(f"/api/v1/students/{pk}")
    assert response.status_code == 200
    return response.json()


async def test_sensitive_fields_are_ciphertext_at_rest_and_plaintext_only_with_the_right(
    school: School,
) -> None:
    await set_id(school, "HS7A101", MOET, phone="0912000111")
    stored = await raw("HS7A101")
    for value in (stored["moet_id"], stored["profile"]["guardians"][0]["phone"]):
        assert isinstance(value, Binary)
        assert value.subtype == 6  # encrypted
    assert MOET.encode() not in bytes(stored["moet_id"])
    pk = school.pupil_id("HS7A101")
    office = await school.login("vp.thuky")  # reads the ID and the guardians
    seen = await api_get(office, pk)
    assert seen["moet_id"] == MOET
    assert seen["profile"]["guardians"][0]["phone"] == "0912000111"
    teacher = await school.login("gv.toan")  # reads neither
    hidden = await api_get(teacher, pk)
    assert "moet_id" not in hidden
    assert MOET not in str(hidden)
    assert "0912000111" not in str(hidden)
    page = await office.get(f"/admin/students/detail?pk={pk}")
    assert MOET in page.text
    assert MOET not in (await teacher.get(f"/admin/students/detail?pk={pk}")).text


async def test_the_id_stays_unique_and_is_found_by_an_exact_search(school: School) -> None:
    await set_id(school, "HS7A101", MOET)
    with pytest.raises(Conflict, match="Mã định danh"):
        await set_id(school, "HS7A102", MOET)
    office = await school.login("vp.thuky")
    page = await office.get("/admin/students/list", params={"q": MOET})
    assert school.pupil_id("HS7A101") in page.text
    assert school.pupil_id("HS7A102") not in page.text


async def test_an_office_edit_of_a_phone_is_encrypted_and_kept_by_the_api(school: School) -> None:
    office = await school.login("vp.thuky")
    await office.get("/admin/")
    pk = school.pupil_id("HS7A101")
    response = await office.patch(
        f"/api/v1/students/{pk}",
        json={"changes": {"profile.guardians.0.phone": "0977000111"}},
        headers=api_headers(office),
    )
    assert response.status_code == 200, response.text
    assert response.json()["profile"]["guardians"][0]["phone"] == "0977000111"
    phone = (await raw("HS7A101"))["profile"]["guardians"][0]["phone"]
    assert isinstance(phone, Binary)
    assert phone.subtype == 6


async def test_the_change_log_keeps_sensitive_changes_masked(
    school: School, worker: WorkerHandle, wait_for_entries: WaitFor
) -> None:
    worker.start()
    await wait_for_entries(1, timeout=10)  # the first-start snapshot of the school
    await set_id(school, "HS7A101", MOET, phone="0977000222")
    entries = await wait_for_entries(
        1, collection="students", op="update", record_key=school.pupil_id("HS7A101")
    )
    assert entries
    change = next(d for d in entries[-1]["diff"] if d["path"] == "moet_id")
    assert change["new"] == MASK
    assert MOET not in str(entries[-1])
    assert "0977000222" not in str(entries[-1])
    phone = next(d for d in entries[-1]["diff"] if d["path"].startswith("profile.guardians"))
    assert MASK in str(phone["new"])


def test_the_command_line_makes_a_master_key_the_settings_accept(capsys) -> None:
    assert main(["field-key"]) == 0
    key = capsys.readouterr().out.strip()
    assert len(base64.b64decode(key)) == 96
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        secret_key="x" * 40,
        field_key=key,
    )
    assert settings.field_master_key() == base64.b64decode(key)
    another = Settings(_env_file=None, env="test", secret_key="x" * 40)  # type: ignore[call-arg]
    assert another.field_master_key() != settings.field_master_key()


def test_the_development_key_is_made_once_and_processes_starting_together_agree(
    tmp_path: Path,
) -> None:
    def key() -> bytes | None:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            env="development",
            embedded_data_dir=tmp_path / "data" / "mongo",
        )
        return settings.field_master_key()

    start = threading.Barrier(8)

    def at_once() -> bytes | None:
        start.wait()
        return key()

    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: at_once(), range(8)))
    assert keys[0] is not None
    assert len(keys[0]) == 96
    assert set(keys) == {keys[0]}
    assert key() == keys[0]  # kept
    made = tmp_path / "data" / "field-master.key"
    assert [p.name for p in made.parent.iterdir()] == [made.name]  # nothing left aside
    assert made.stat().st_mode & 0o777 == 0o600
