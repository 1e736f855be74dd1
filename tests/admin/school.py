"""A small fixed school for panel and API tests, and clients signed in as its staff.

Two classes of the current year (7A1, 7A2) with three pupils each, one pupil who left last
year, the six default roles (seed/roles.py), one account per role plus one without a role and
one holding a constrained test role (every action, each behind a row filter), and a few spare
catalogue entries and roles that tests may edit or delete. Built in ~40 ms on one shared app,
so every test that writes gets its own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from app.auth.passwords import hash_password
from app.clock import utcnow
from app.records.compute import derive
from models.auth import AuthEvent, AuthEventKind
from models.catalogue import SchoolClass, SchoolYear, Subject
from models.role import Action, Permission, Role, actions_for
from models.student import StudentRecord
from models.student_parts import (
    Guardian,
    Placement,
    Profile,
    SchoolYearRecord,
    Sex,
    Status,
    SubjectYear,
)
from models.user import TeachingAssignment, User
from seed.roles import seed_roles
from tests.auth.helpers import BASE_URL, CSRF_COOKIE, PASSWORD, Delays, build_app, make_settings

YEAR = "2025-2026"
LAST_YEAR = "2024-2025"
GROUP_TOAN = "Tổ Toán – Tin học"

# username -> (roles, extra account fields)
STAFF: dict[str, tuple[list[str], dict[str, Any]]] = {
    "bgh.ht": (["bgh"], {"full_name": "Lò Văn Hiệu"}),
    "tt.toan": (["tocm"], {"full_name": "Đinh Thị Tổ", "subject_group": GROUP_TOAN}),
    "gv.cn7a1": (["gvcn"], {"full_name": "Hà Thị Chủ", "homeroom_classes": ["7A1"]}),
    "gv.cn7a2": (["gvcn"], {"full_name": "Vàng A Hai", "homeroom_classes": ["7A2"]}),
    "gv.toan": (
        ["gvbm"],
        {
            "full_name": "Sùng Văn Toán",
            "teaching": [TeachingAssignment(class_name="7A1", subject="TOAN")],
        },
    ),
    "vp.thuky": (["vanphong"], {"full_name": "Mùa Thị Văn"}),
    "it.quantri": (["cntt"], {"full_name": "Giàng A Tin"}),
    "nv.moi": ([], {"full_name": "Người Chưa Có Vai Trò"}),
    "kt.thu": (["kiemthu"], {"full_name": "Người Kiểm Thử"}),
}
# The account acting for each seeded role in the permission matrix ("" = no role at all).
ACTING = {
    "bgh": "bgh.ht",
    "tocm": "tt.toan",
    "gvcn": "gv.cn7a1",
    "gvbm": "gv.toan",
    "vanphong": "vp.thuky",
    "cntt": "it.quantri",
    "": "nv.moi",
    "kiemthu": "kt.thu",  # not seeded: every action on every resource, each with a row filter
}
PUPILS = {
    "7A1": [
        ("HS7A101", "Nguyễn Văn An", Sex.MALE),
        ("HS7A102", "Ksor Thị H'Lan", Sex.FEMALE),
        ("HS7A103", "H' Hen Niê", Sex.FEMALE),
    ],
    "7A2": [
        ("HS7A201", "Nguyễn Văn Bình", Sex.MALE),
        ("HS7A202", "Lý Thị Mai", Sex.FEMALE),
        ("HS7A203", "Y Bhim Mlô", Sex.MALE),
    ],
}
FORMER = ("HS6A901", "Trần Đức Cũ", Sex.MALE)  # left last year, from 6A9
# Account fields the constrained role reads; it writes all but the last three.
USER_FIELDS = [
    "username",
    "full_name",
    "email",
    "phone",
    "roles",
    "homeroom_classes",
    "teaching",
    "subject_group",
    "active",
    "must_change_password",
    "last_login_at",
    "version",
]
# (resource, row filter) of the constrained role: what it may touch, for every action.
CONSTRAINED: dict[str, dict[str, Any]] = {
    "students": {"current.class_name": "7A1"},
    "users": {"username": {"$regex": "^gv[.]"}},
    "roles": {"code": {"$regex": "^gv"}},
    "school_years": {"code": {"$gte": "2025"}},
    "classes": {"grade": 7},
    "subjects": {"kind": "score"},
    "auth_events": {"kind": "login_success"},
    "change_log": {},  # entries are scoped by their record: the pupils of 7A1
}


def constrained_role() -> Role:
    fields = {
        "students": (["**"], ["code", "moet_id", "profile", "status", "current"]),
        "users": (USER_FIELDS, USER_FIELDS[:-3]),
        "roles": (["**"], ["code", "name", "description", "permissions", "active"]),
    }
    return Role(
        code="kiemthu",
        name="Kiểm thử có giới hạn",
        permissions=[
            Permission(
                resource=resource,
                actions=actions_for(resource),
                row_filter=row_filter,
                read_fields=fields.get(resource, (["**"], ["**"]))[0],
                write_fields=fields.get(resource, (["**"], ["**"]))[1],
            )
            for resource, row_filter in CONSTRAINED.items()
        ],
        version=1,
    )


@dataclass
class School:
    app: FastAPI
    users: dict[str, User] = field(default_factory=dict)
    pupils: dict[str, StudentRecord] = field(default_factory=dict)  # by code
    ids: dict[tuple[str, str], PydanticObjectId] = field(default_factory=dict)  # (resource, name)
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def pupil_id(self, code: str) -> str:
        return str(self.pupils[code].id)

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 50000))
        client = httpx.AsyncClient(
            transport=transport, base_url=BASE_URL, headers={"User-Agent": "pytest-browser/1.0"}
        )
        self.clients.append(client)
        return client

    async def login(self, username: str, password: str = PASSWORD) -> httpx.AsyncClient:
        client = self.client()
        response = await login(client, username, password)
        assert response.status_code == 303, response.text
        assert not response.headers["location"].startswith("/account/password")
        return client

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


def pupil(code: str, name: str, sex: Sex, class_name: str, year: str = YEAR) -> StudentRecord:
    grade = int(class_name[0])
    return StudentRecord(
        code=code,
        profile=Profile(
            full_name=name,
            sex=sex,
            birth_date=date(2013, 3, 1),
            birth_place="Hà Giang",
            ethnicity="Mông",
            guardians=[Guardian(relation="me", full_name="Mẹ của " + name, phone="0912345678")],
        ),
        current=Placement(school_year=year, grade=grade, class_name=class_name),
        years={
            year: SchoolYearRecord(
                grade=grade,
                class_name=class_name,
                subjects={
                    "TOAN": SubjectYear(kind="score", teacher="gv.toan"),
                    "NGUVAN": SubjectYear(kind="score"),
                    "GDTC": SubjectYear(kind="comment"),
                },
            )
        },
        version=1,
    )


def school_year(code: str, *, is_current: bool = False) -> SchoolYear:
    start = int(code[:4])
    return SchoolYear(
        code=code,
        starts_on=date(start, 9, 5),
        term1_ends_on=date(start + 1, 1, 15),
        ends_on=date(start + 1, 5, 31),
        is_current=is_current,
    )


def staff(username: str, roles: list[str], **fields: Any) -> User:
    fields.setdefault("full_name", "Cán Bộ " + username)
    return User(
        username=username,
        roles=roles,
        password_hash=hash_password(PASSWORD),
        password_changed_at=utcnow() - timedelta(days=1),
        must_change_password=False,
        version=1,
        **fields,
    )


def spare_role(code: str) -> Role:
    """A role nobody holds (safe to edit or delete in a test)."""
    permission = Permission(resource="subjects", actions=[Action.VIEW], read_fields=["**"])
    return Role(code=code, name="Vai trò " + code, permissions=[permission], version=1)


async def build_school(db: AsyncDatabase, app: FastAPI) -> School:
    """Empty the database and fill it with the fixed school, served by ``app``."""
    for name in await db.list_collection_names():
        await db[name].delete_many({})
    school = School(app=app)
    await seed_roles()
    docs: list[tuple[str, str, Any]] = [
        ("roles", "kiemthu", constrained_role()),
        ("roles", "gv_tam", spare_role("gv_tam")),
        ("roles", "tam_thoi", spare_role("tam_thoi")),
        ("school_years", LAST_YEAR, school_year(LAST_YEAR)),
        ("school_years", YEAR, school_year(YEAR, is_current=True)),
        ("school_years", "2026-2027", school_year("2026-2027")),
    ]
    for code, name, group, kind in (
        ("TOAN", "Toán", GROUP_TOAN, "score"),
        ("NGUVAN", "Ngữ văn", "Tổ Ngữ văn", "score"),
        ("GDTC", "Giáo dục thể chất", "Tổ Thể chất", "comment"),
        ("TINHOC", "Tin học", GROUP_TOAN, "score"),
        ("HDTN", "Hoạt động trải nghiệm", "Tổ Thể chất", "comment"),
    ):
        docs.append(("subjects", code, Subject(code=code, name=name, kind=kind, group=group)))
    for name, teacher in (("7A1", "gv.cn7a1"), ("7A2", "gv.cn7a2"), ("6A1", None)):
        klass = SchoolClass(
            school_year=YEAR, name=name, grade=int(name[0]), homeroom_teacher=teacher
        )
        docs.append(("classes", name, klass))
    for username, (roles, fields) in {**STAFF, "vp.phu": (["vanphong"], {})}.items():
        docs.append(("users", username, staff(username, roles, **fields)))
    for class_name, rows in PUPILS.items():
        docs += [("students", c, pupil(c, n, s, class_name)) for c, n, s in rows]
    former = pupil(*FORMER, class_name="6A9", year=LAST_YEAR)
    former.status = Status.LEFT
    docs.append(("students", former.code, former))
    for kind, username in (
        (AuthEventKind.LOGIN_SUCCESS, "su.kien.vao"),
        (AuthEventKind.LOGOUT, "su.kien.ra"),
    ):
        event = AuthEvent(at=utcnow(), kind=kind, username=username, detail="Sự kiện mẫu")
        docs.append(("auth_events", username, event))
    for resource, name, doc in docs:
        if resource == "students":
            derive(doc)  # as the write path stores them: with their results computed
        await doc.insert()
        school.ids[(resource, name)] = doc.id
        if resource == "users":
            school.users[name] = doc
        elif resource == "students":
            school.pupils[name] = doc
    async for raw in db["roles"].find({}, {"code": 1}):
        school.ids[("roles", raw["code"])] = raw["_id"]
    return school


@pytest.fixture(scope="session")
def panel_app(mongo_uri: str, db_name: str) -> FastAPI:
    """One app for every panel test (building one compiles the templates anew: ~0.1 s)."""
    return build_app(make_settings(mongo_uri, db_name), Delays())


@pytest.fixture
async def school(mdb: AsyncDatabase, panel_app: FastAPI) -> AsyncIterator[School]:
    """The fixed school on an emptied database."""
    built = await build_school(mdb, panel_app)
    yield built
    await built.close()


# -- talking to the app like a browser ---------------------------------------------------


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    token = await form_token(client, "/login")
    data = {"username": username, "password": password, "csrftoken": token}
    return await client.post("/login", data=data)


async def form_token(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(path)
    match = re.search(r'name="csrftoken" value="([^"]+)"', response.text)
    assert match, f"no csrftoken field on {path} ({response.status_code})"
    return match.group(1)


def csrf(client: httpx.AsyncClient) -> str:
    token = client.cookies.get(CSRF_COOKIE)
    assert token, "no CSRF cookie yet: GET a page first"
    return token


def api_headers(client: httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRFToken": csrf(client)}


async def post(
    client: httpx.AsyncClient, path: str, data: Any = None, **params: Any
) -> httpx.Response:
    """A form POST carrying the CSRF token, as the panel's pages send it."""
    if CSRF_COOKIE not in client.cookies:
        await client.get("/login")
    pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
    form: dict[str, list[str]] = {}
    for key, value in [*pairs, ("csrftoken", csrf(client))]:
        form.setdefault(key, []).append(value)
    return await client.post(path, data=form, params=params or None)


async def action(
    client: httpx.AsyncClient, key: str, name: str, pks: list[str], **form: str
) -> httpx.Response:
    """A batch action (delete, export) as the list page's JavaScript sends it."""
    if CSRF_COOKIE not in client.cookies:
        await client.get("/login")
    params = [("name", name), *(("pks", pk) for pk in pks)]
    return await client.post(
        f"/admin/_api/{key}/action", params=params, data=form, headers=api_headers(client)
    )


async def row_action(client: httpx.AsyncClient, key: str, name: str, pk: str) -> httpx.Response:
    if CSRF_COOKIE not in client.cookies:
        await client.get("/login")
    return await client.post(
        f"/admin/_api/{key}/row-action",
        params={"name": name, "pk": pk},
        headers=api_headers(client),
    )


class FormReader(HTMLParser):
    """The name/value pairs a browser would submit, for every form of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._pairs: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str | None, bool, list[str]]] = []  # value, selected, text
        self._multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._pairs = []
            self.forms.append(self._pairs)
        pairs, name = self._pairs, a.get("name")
        if pairs is None:
            return
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    pairs.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                pairs.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options, self._multiple = name, [], "multiple" in a
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value"), "selected" in a, []))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        elif self._select is not None and self._options:
            self._options[-1][2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self._pairs is not None:
            # An option without a value attribute submits its text.
            options = [(v if v is not None else "".join(t).strip(), s) for v, s, t in self._options]
            chosen = [v for v, selected in options if selected]
            if not chosen and not self._multiple and options:
                chosen = [options[0][0]]
            self._pairs.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._pairs is not None:
            self._pairs.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._pairs = None


def form_fields(html: str) -> list[tuple[str, str]]:
    """The fields of the page's main (largest) form, without the CSRF token."""
    reader = FormReader()
    reader.feed(html)
    main = max(reader.forms, key=len, default=[])
    return [(k, v) for k, v in main if k != "csrftoken"]


def replace(pairs: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    """Form pairs with some values replaced (keys use "__" for "."), others kept."""
    wanted = {k.replace("__", "."): v for k, v in changes.items()}
    out = [(k, wanted.pop(k)) if k in wanted else (k, v) for k, v in pairs]
    return out + list(wanted.items())


async def load_form(client: httpx.AsyncClient, path: str) -> list[tuple[str, str]]:
    response = await client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return form_fields(response.text)


def form_error(html: str) -> str:
    """The text of the form-wide error box (hocba/form_errors.html), or ""."""
    match = re.search(r'id="form-error".*?<div class="alert-description">(.*?)</div>', html, re.S)
    return " ".join(match.group(1).split()) if match else ""
