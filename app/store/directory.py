"""Staff names for display: a pupil's record names teachers by sign-in name, people read
their full names. Only the name is read, whoever asks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from models.role import Role
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


async def find_role(code: str) -> Role | None:
    """The role with this code, for the IT group's tools (the default roles' updates)."""
    raw = await collection("roles").find_one({"code": code})
    return Role.model_validate(raw) if raw is not None else None


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


async def school_year_codes() -> tuple[list[str], str | None]:
    """The catalogue's school years (oldest first) and the one marked current."""
    cursor = collection("school_years").find({}, {"code": 1, "is_current": 1})
    years = [doc async for doc in cursor]
    current = next((y["code"] for y in years if y.get("is_current")), None)
    return sorted(y["code"] for y in years), current


async def classes_of(school_year: str) -> list[dict[str, Any]]:
    """The catalogue's classes of a school year, by grade then name."""
    cursor = collection("classes").find(
        {"school_year": school_year}, {"name": 1, "grade": 1, "homeroom_teacher": 1}
    )
    return sorted([c async for c in cursor], key=lambda c: (c.get("grade") or 0, c["name"]))


async def unlocked_classes(school_year: str) -> dict[str, int]:
    """Class -> how many of its studying pupils have the school year not yet locked (the
    year-end lock is school-wide: everyone may know which classes still hold it up)."""
    cursor = await collection("students").aggregate(
        [
            {
                "$match": {
                    "current.school_year": school_year,
                    "status": "studying",
                    f"years.{school_year}.locks.year.locked": {"$ne": True},
                }
            },
            {"$group": {"_id": "$current.class_name", "pupils": {"$sum": 1}}},
        ]
    )
    return {str(row["_id"]): int(row["pupils"]) async for row in cursor}


async def parent_accounts(student_id: str) -> list[User]:
    """The parents' accounts linked to a pupil (record id), for the staff who manage them."""
    cursor = collection("users").find({"kind": "parent", "children": student_id}).sort("username")
    return [User.model_validate(raw) async for raw in cursor]


async def find_user_by_id(user_id: Any) -> User | None:
    """The account with this id (a parent's account named by the page that manages it)."""
    raw = await collection("users").find_one({"_id": user_id})
    return User.model_validate(raw) if raw is not None else None


async def current_classes() -> list[str]:
    """The names of the current school year's classes, by grade then name (6A1 … 9A4)."""
    _, year = await school_year_codes()
    return [c["name"] for c in await classes_of(year)] if year else []


async def subject_groups() -> list[str]:
    """The subject groups (tổ chuyên môn) the subject catalogue names, alphabetically."""
    cursor = collection("subjects").find({"group": {"$nin": [None, ""]}}, {"group": 1})
    return sorted({s["group"] async for s in cursor})


async def homeroom_teacher(class_name: str) -> str | None:
    """The sign-in name of the class's homeroom teacher (the first active one)."""
    found = await collection("users").find_one(
        {"homeroom_classes": class_name, "active": True}, {"username": 1}
    )
    return str(found["username"]) if found else None


async def subject_group(code: str) -> str | None:
    """The subject group (tổ chuyên môn) a subject belongs to, from the catalogue."""
    found = await collection("subjects").find_one({"code": code}, {"group": 1})
    return (found or {}).get("group")


async def find_gradebook(
    school_year: str, class_name: str, kind: str, subject: str | None, term: str
) -> dict[str, Any] | None:
    """Where one book stands in the approval chain (None: still being entered). Whether the
    reader may act on it is the chain's question, asked of their scope."""
    found: dict[str, Any] | None = await collection("gradebooks").find_one(
        {
            "school_year": school_year,
            "class_name": class_name,
            "kind": kind,
            "subject": subject,
            "term": term,
        }
    )
    return found


async def class_subjects(school_year: str) -> dict[str, set[str]]:
    """Class -> the subjects its pupils take in ``school_year``: the books a year has (one
    subject book per pair, one homeroom book per class). Names and codes only."""
    root = f"years.{school_year}"
    # Each pupil's class and subject codes only (not the scores under them), joined here.
    pipeline: list[dict[str, Any]] = [
        {"$match": {f"{root}.class_name": {"$exists": True}}},
        {
            "$project": {
                "_id": 0,
                "c": f"${root}.class_name",
                "s": {
                    "$map": {
                        "input": {"$objectToArray": {"$ifNull": [f"${root}.subjects", {}]}},
                        "in": "$$this.k",
                    }
                },
            }
        },
    ]
    found: dict[str, set[str]] = {}
    async for row in await collection("students").aggregate(pipeline):
        found.setdefault(str(row["c"]), set()).update(str(s) for s in row.get("s") or [] if s)
    return found
