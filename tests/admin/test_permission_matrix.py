"""The permission matrix, generated in the style of NetBox's view tests.

For every default role (plus an account with no role and one constrained test role) × resource ×
action × target (a record inside / outside the role's row filter), the panel URL or the API call
must answer exactly as the roles promise: 200, 303 (saved, back to the list), 403 (no right),
404 (right, but the record is out of scope: its existence is not revealed), 422 (form refused),
or 400 (a batch action refused). Writes that are refused must leave the database unchanged.

The expected outcome is derived from GRANTS below, which restates DOMAIN §2 independently of
seed/roles.py: a change to the seeded roles that widens or narrows them breaks this test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx
import pytest
from beanie import Document
from bson import ObjectId
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from app.clock import utcnow
from models.auth import AuthEvent, AuthEventKind
from models.catalogue import SchoolClass, SchoolYear, Subject
from models.changelog import ChangeLogEntry
from models.role import Role
from models.student import StudentRecord
from models.student_parts import Sex
from models.user import User
from tests.admin.school import (
    ACTING,
    School,
    action,
    api_headers,
    build_school,
    form_error,
    load_form,
    post,
    pupil,
    replace,
    school_year,
    spare_role,
    staff,
)

# Rights of each role on each resource: V view, C create, E edit, D delete, X export.
GRANTS: dict[str, dict[str, str]] = {
    "bgh": dict.fromkeys(
        ("users", "roles", "school_years", "classes", "subjects", "auth_events", "change_log"),
        "V",
    )
    | {"students": "VX"},
    "tocm": {"students": "V", "school_years": "V", "classes": "V", "subjects": "V"},
    "gvcn": {"students": "VEX", "school_years": "V", "classes": "V", "subjects": "V"},
    "gvbm": {"students": "VE", "school_years": "V", "classes": "V", "subjects": "V"},
    "vanphong": {"students": "VCEX", "school_years": "V", "classes": "V", "subjects": "V"},
    "cntt": dict.fromkeys(("users", "roles", "school_years", "classes", "subjects"), "VCE")
    | {"auth_events": "V", "students": "V", "change_log": "V"},
    "": {},
    "kiemthu": dict.fromkeys(
        (
            "students",
            "users",
            "roles",
            "school_years",
            "classes",
            "subjects",
            "auth_events",
            "change_log",
        ),
        "VCEDX",
    ),
}
# (role, resource) whose row filter leaves the "out" record out.
# Edit granted, but on fields no panel form holds (a subject teacher's scores): no edit form.
NO_FORM_FIELDS = {("gvbm", "students")}
SCOPED = {("gvcn", "students"), ("gvbm", "students")} | {("kiemthu", r) for r in GRANTS["kiemthu"]}
# What a view never allows, whoever asks (the journals are append-only). A change-log entry is
# in a reader's scope when its record is.
NEVER = {"auth_events": "CED", "change_log": "CED"}

# Panel key -> (resource, name of the record in scope, name of the record out of scope).
TARGETS = {
    "students": ("students", "HS7A101", "HS7A201"),
    "users": ("users", "gv.cn7a2", "vp.phu"),
    "roles": ("roles", "gv_tam", "tam_thoi"),
    "school-years": ("school_years", "2026-2027", "2024-2025"),
    "classes": ("classes", "7A1", "6A1"),
    "subjects": ("subjects", "TINHOC", "HDTN"),
    "auth-events": ("auth_events", "su.kien.vao", "su.kien.ra"),
    "change-log": ("change_log", "HS7A101", "HS7A201"),  # entries about these pupils
}
MODELS: dict[str, type[Document]] = {
    "students": StudentRecord,
    "users": User,
    "roles": Role,
    "school_years": SchoolYear,
    "classes": SchoolClass,
    "subjects": Subject,
    "auth_events": AuthEvent,
    "change_log": ChangeLogEntry,
}
ACTIONS = ("list", "detail", "create_get", "create_post", "edit_get", "edit_post", "delete")
ACTIONS += ("export",)

OK, SAVED, REFUSED, FORBIDDEN, NOT_FOUND, INVALID = 200, 303, 400, 403, 404, 422
_serial = count(1)


def rights(role: str, resource: str, *, panel: bool = True) -> str:
    granted = GRANTS[role].get(resource, "")
    if "V" not in granted:
        return ""  # the panel hides a resource one may not see, whatever else is granted
    if panel and (role, resource) in NO_FORM_FIELDS:
        granted = granted.replace("E", "")
    return "".join(r for r in granted if r not in NEVER.get(resource, ""))


def expected(role: str, key: str, act: str, target: str) -> int:
    resource = TARGETS[key][0]
    may = rights(role, resource)
    reachable = target == "in" or (role, resource) not in SCOPED
    if act in ("list", "detail"):
        if "V" not in may:
            return FORBIDDEN
        return OK if act == "list" or reachable else NOT_FOUND
    if act.startswith("create"):
        if "C" not in may:
            return FORBIDDEN
        if act == "create_get":
            return OK
        return SAVED if reachable else INVALID
    if act.startswith("edit"):
        if "E" not in may:
            return FORBIDDEN
        if not reachable:
            return NOT_FOUND
        return OK if act == "edit_get" else SAVED
    if act == "delete":
        return OK if "D" in may and reachable else REFUSED
    assert act == "export"
    return OK if "X" in may else REFUSED


PANEL_CASES = [
    pytest.param(role, key, act, target, id=f"{role or 'norole'}-{key}-{act}-{target}")
    for role in ACTING
    for key in TARGETS
    for act in ACTIONS
    for target in ("in", "out")
]
API_CASES = [
    pytest.param(role, act, target, id=f"{role or 'norole'}-api-{act}-{target}")
    for role in ACTING
    for act in ("list", "get", "patch")
    for target in ("in", "out")
]


# -- one school for the whole module: read cases share it, write cases use fresh records --------


@dataclass
class Matrix:
    school: School
    clients: dict[str, httpx.AsyncClient]

    def target_id(self, key: str, target: str) -> str:
        resource, inside, outside = TARGETS[key]
        return str(self.school.ids[(resource, inside if target == "in" else outside)])


@pytest.fixture(scope="module")
async def matrix(beanie_db: AsyncDatabase, panel_app: FastAPI) -> AsyncIterator[Matrix]:
    school = await build_school(beanie_db, panel_app)
    for code in ("HS7A101", "HS7A201"):
        entry = log_entry(school, code)
        await entry.insert()
        school.ids[("change_log", code)] = entry.id
    clients = {role: await school.login(username) for role, username in ACTING.items()}
    yield Matrix(school, clients)
    await school.close()


def create_form(key: str, target: str) -> dict[str, Any]:
    """Valid create-form values for a record inside or outside the constrained role's filter."""
    n = next(_serial)
    inside = target == "in"
    if key == "students":
        class_name = "7A1" if inside else "7A2"
        return {
            "code": f"HSM{n:04d}",
            "profile.full_name": f"Học Sinh Mới {n}",
            "profile.sex": "nu",
            "profile.birth_date": "2013-09-02",
            "profile.ethnicity": "Tày",
            "profile.nationality": "Việt Nam",
            "status": "studying",
            "current.school_year": "2025-2026",
            "current.grade": "7",
            "current.class_name": class_name,
        }
    if key == "users":
        return {"username": f"{'gv' if inside else 'nv'}.moi{n}", "full_name": f"Người {n}"}
    if key == "roles":
        return {"code": f"{'gv' if inside else 'x'}moi{n}", "name": f"Vai trò {n}", "active": "on"}
    if key == "school-years":
        start = 3000 + n if inside else 1000 + n
        return {
            "code": f"{start}-{start + 1}",
            "starts_on": f"{start}-09-05",
            "term1_ends_on": f"{start + 1}-01-15",
            "ends_on": f"{start + 1}-05-31",
        }
    if key == "classes":
        grade = 7 if inside else 6
        return {"school_year": "2025-2026", "name": f"{grade}M{n}", "grade": str(grade)}
    if key == "subjects":
        kind = "score" if inside else "comment"
        return {"code": f"MOI{n}", "name": f"Môn {n}", "kind": kind, "order": "50"}
    return {"kind": "login_success", "username": f"gia.mao{n}"}


def log_entry(school: School, code: str) -> ChangeLogEntry:
    """A change-log entry about one pupil (the log's scope follows the pupil's)."""
    n = next(_serial)
    pupil_id = school.ids[("students", code)]
    return ChangeLogEntry(
        seq=100_000 + n,
        token=f"ma-tran-{n}",
        collection="students",
        record_id=pupil_id,
        record_key=str(pupil_id),
        record_label=code,
        op="update",
        at=utcnow(),
        actor_name="Ma trận quyền",
        prev_hash="",
        hash=f"h{n}",
    )


def disposable(key: str, target: str) -> Document:
    """A fresh record inside or outside the constrained role's filter (safe to delete)."""
    n = next(_serial)
    inside = target == "in"
    if key == "students":
        return pupil(f"HSX{n:04d}", f"Học Sinh Xóa {n}", Sex.MALE, "7A1" if inside else "7A2")
    if key == "users":
        return staff(f"{'gv' if inside else 'nv'}.xoa{n}", [])
    if key == "roles":
        return spare_role(f"{'gv' if inside else 'x'}xoa{n}")
    if key == "school-years":
        start = 5000 + n if inside else 1000 + n
        return school_year(f"{start}-{start + 1}")
    if key == "classes":
        grade = 7 if inside else 6
        return SchoolClass(school_year="2025-2026", name=f"{grade}X{n}", grade=grade)
    if key == "subjects":
        return Subject(code=f"XOA{n}", name=f"Môn xóa {n}", kind="score" if inside else "comment")
    kind = AuthEventKind.LOGIN_SUCCESS if inside else AuthEventKind.LOGOUT
    return AuthEvent(at=utcnow(), kind=kind, username=f"xoa.{n}")


async def stored(key: str, pk: str) -> dict[str, Any] | None:
    collection = MODELS[TARGETS[key][0]].get_pymongo_collection()
    return await collection.find_one({"_id": ObjectId(pk)})  # type: ignore[no-any-return]


@pytest.mark.parametrize(("role", "key", "act", "target"), PANEL_CASES)
async def test_panel(matrix: Matrix, role: str, key: str, act: str, target: str) -> None:
    client = matrix.clients[role]
    want = expected(role, key, act, target)
    resource = TARGETS[key][0]
    pk = matrix.target_id(key, target)

    if act == "list":
        response = await client.get(f"/admin/{key}/list", params={"page_size": 100})
        assert response.status_code == want
        if want == OK:
            shown = pk in response.text
            assert shown == (target == "in" or (role, resource) not in SCOPED)
    elif act == "detail":
        response = await client.get(f"/admin/{key}/detail", params={"pk": pk})
        assert response.status_code == want
    elif act == "create_get":
        response = await client.get(f"/admin/{key}/create")
        assert response.status_code == want
    elif act == "create_post":
        data = create_form(key, target)
        model = MODELS[resource]
        before = await model.get_pymongo_collection().count_documents({})
        response = await post(client, f"/admin/{key}/create", data)
        assert response.status_code == want, form_error(response.text) or response.text[:200]
        after = await model.get_pymongo_collection().count_documents({})
        assert after == before + (1 if want == SAVED else 0)
        if want == INVALID:
            assert "ngoài phạm vi" in response.text
    elif act == "edit_get":
        response = await client.get(f"/admin/{key}/edit", params={"pk": pk})
        assert response.status_code == want
    elif act == "edit_post":
        before = await stored(key, pk)
        path = f"/admin/{key}/edit?pk={pk}"
        if want == SAVED:
            pairs = await load_form(client, path)
            if key == "students" and any(k == "profile.birth_place" for k, _ in pairs):
                pairs = replace(pairs, profile__birth_place=f"Nơi sinh {next(_serial)}")
            response = await post(client, path, pairs)
            assert response.status_code == want, form_error(response.text) or response.text[:200]
            assert response.headers["location"].endswith(f"/admin/{key}/list")
        else:
            crafted = {"code": "DOI", "name": "Đổi", "profile.full_name": "Tên Bị Đổi"}
            response = await post(client, path, crafted)
            assert response.status_code == want
            assert await stored(key, pk) == before  # refused: nothing written
    elif act == "delete":
        doc = (
            log_entry(matrix.school, TARGETS[key][1 if target == "in" else 2])
            if key == "change-log"
            else disposable(key, target)
        )
        await doc.insert()
        response = await action(client, key, "delete", [str(doc.id)])
        assert response.status_code == want, response.text
        gone = await stored(key, str(doc.id)) is None
        assert gone == (want == OK)
        if want == REFUSED:
            assert response.json()["msg"]
    else:
        response = await action(
            client, key, "export", [pk], format="csv", scope="selected", filename="xuat"
        )
        assert response.status_code == want, response.text[-500:]
        if want == OK:
            name = TARGETS[key][1 if target == "in" else 2]
            listed = name in response.text
            assert listed == (target == "in" or (role, resource) not in SCOPED)


@pytest.mark.parametrize(("role", "act", "target"), API_CASES)
async def test_api(matrix: Matrix, role: str, act: str, target: str) -> None:
    client = matrix.clients[role]
    may = rights(role, "students", panel=False)
    reachable = target == "in" or (role, "students") not in SCOPED
    pk = matrix.target_id("students", target)
    if act == "list":
        response = await client.get("/api/v1/students", params={"per_page": 200})
        assert response.status_code == OK
        ids = {item["id"] for item in response.json()["items"]}
        assert (pk in ids) == ("V" in may and reachable)
        if "V" not in may:
            assert response.json()["total"] == 0  # deny by default: no grant, nothing listed
    elif act == "get":
        response = await client.get(f"/api/v1/students/{pk}")
        assert response.status_code == (OK if "V" in may and reachable else NOT_FOUND)
        if response.status_code == OK:
            assert response.json()["id"] == pk
    else:
        path = "profile.birth_place"
        value: Any = f"Nơi sinh {next(_serial)}"
        if role == "gvbm":
            path, value = "years.2025-2026.subjects.TOAN.hk1.gk", "8,5"
        before = await stored("students", pk)
        response = await client.patch(
            f"/api/v1/students/{pk}",
            json={"changes": {path: value}, "reason": "Kiểm thử ma trận quyền"},
            headers=api_headers(client),
        )
        allowed = "E" in may and reachable
        assert response.status_code == (OK if allowed else NOT_FOUND), response.text
        after = await stored("students", pk)
        assert after is not None
        assert before is not None
        assert (after["version"] == before["version"] + 1) == allowed
