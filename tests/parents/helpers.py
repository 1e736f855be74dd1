"""A parent of the fixed school: an account made the way the office makes it, signed in with
the one-time password changed, and approved (locked) parts of a pupil's record."""

from __future__ import annotations

from typing import Any

import httpx

from app.parents.accounts import Slip, create_parent_account
from app.store import access_for
from models.student import StudentRecord
from tests.admin.school import School, form_token, login

NEW_PASSWORD = "Con đi học đều mỗi ngày 2025"
YEAR = "2025-2026"


async def make_parent(school: School, code: str = "HS7A101", by: str = "vp.thuky") -> Slip:
    access = await access_for(school.users[by])
    return await create_parent_account(access, school.pupil_id(code), 0)


async def sign_in_parent(school: School, slip: Slip) -> httpx.AsyncClient:
    """Sign in with the slip and change the one-time password, as the first sign-in asks."""
    client = school.client()
    response = await login(client, slip.username, slip.password)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/password")
    token = await form_token(client, "/account/password")
    response = await client.post(
        "/account/password",
        data={
            "current_password": slip.password,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
            "csrftoken": token,
        },
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/phu-huynh"
    return client


async def set_fields(code: str, changes: dict[str, Any]) -> None:
    """Raw test set-up: what the approval chain and the teachers would have written."""
    await StudentRecord.get_pymongo_collection().update_one({"code": code}, {"$set": changes})


async def approve(code: str, *, subjects: tuple[str, ...] = (), homeroom: bool = False,
                  term: str = "hk1") -> None:  # fmt: skip
    changes: dict[str, Any] = {
        f"years.{YEAR}.subjects.{s}.locks.{term}.locked": True for s in subjects
    }
    if homeroom:
        changes[f"years.{YEAR}.homeroom_locks.{term}.locked"] = True
    await set_fields(code, changes)
