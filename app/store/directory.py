"""Staff names for display: a pupil's record names teachers by sign-in name, people read
their full names. Only the name is read, whoever asks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from models.user import User

from .collections import collection


async def staff_names(usernames: Iterable[str]) -> dict[str, str]:
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    cursor = collection("users").find(
        {"username": {"$in": wanted}}, {"username": 1, "full_name": 1}
    )
    return {u["username"]: u.get("full_name") or u["username"] async for u in cursor}


async def role_names() -> dict[str, str]:
    """Role code -> role name, for showing who acted in which capacity."""
    cursor = collection("roles").find({}, {"code": 1, "name": 1})
    return {r["code"]: r.get("name") or r["code"] async for r in cursor}


async def role_exists(code: str) -> bool:
    return bool(await collection("roles").count_documents({"code": code}, limit=1))


async def find_user(username: str) -> User | None:
    """The account with this sign-in name, for the IT group's tools."""
    if not username:
        return None
    raw = await collection("users").find_one({"username": username})
    return User.model_validate(raw) if raw is not None else None


async def existing_keys(resource: str, keys: tuple[str, ...]) -> set[tuple[Any, ...]]:
    """The key values already stored (seeding creates only what is missing)."""
    cursor = collection(resource).find({}, dict.fromkeys(keys, 1))
    return {tuple(doc.get(k) for k in keys) async for doc in cursor}


async def find_class(school_year: str, name: str) -> dict[str, Any] | None:
    """A class of the catalogue (reference data every staff member may rely on)."""
    found: dict[str, Any] | None = await collection("classes").find_one(
        {"school_year": school_year, "name": name}
    )
    return found


async def subject_teachers(class_name: str) -> dict[str, str]:
    """Subject code -> the sign-in name of the teacher assigned to it in the class."""
    cursor = collection("users").find(
        {"teaching.class_name": class_name, "active": True}, {"username": 1, "teaching": 1}
    )
    teachers: dict[str, str] = {}
    async for user in cursor:
        for assignment in user.get("teaching") or []:
            if assignment.get("class_name") == class_name:
                teachers.setdefault(assignment.get("subject"), user["username"])
    return teachers


async def current_year() -> str | None:
    """The code of the school year marked current in the catalogue."""
    found = await collection("school_years").find_one({"is_current": True}, {"code": 1})
    return str(found["code"]) if found else None


async def current_classes() -> list[str]:
    """The names of the current school year's classes, by grade then name (6A1 … 9A4)."""
    year = await current_year()
    if year is None:
        return []
    cursor = collection("classes").find({"school_year": year}, {"name": 1, "grade": 1})
    classes = [(c.get("grade", 0), c["name"]) async for c in cursor]
    return [name for _, name in sorted(classes)]


async def subject_groups() -> list[str]:
    """The subject groups (tổ chuyên môn) the subject catalogue names, alphabetically."""
    cursor = collection("subjects").find({"group": {"$nin": [None, ""]}}, {"group": 1})
    return sorted({s["group"] async for s in cursor})
