"""Staff accounts of the demo school, one or more for every role, with printed demo passwords."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from models.types import search_key
from models.user import TeachingAssignment, User

from .catalogue import SUBJECT_GROUPS
from .names import NameGenerator

# How many class×subject pairs one subject teacher carries in the demo.
LOAD_PER_TEACHER = 6


@dataclass
class StaffPlan:
    users: list[User] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)
    homeroom_of: dict[str, str] = field(default_factory=dict)  # class -> username
    teacher_of: dict[tuple[str, str], str] = field(default_factory=dict)  # (class, subject) -> user


def _password(rng: random.Random) -> str:
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "Demo-" + "".join(rng.choice(alphabet) for _ in range(10))


def plan_staff(rng: random.Random, names: NameGenerator, classes: list[str]) -> StaffPlan:
    """Accounts for bgh, tocm, gvcn, gvbm, vanphong and cntt; teachers cover every class×subject."""
    plan = StaffPlan()
    taken: set[str] = set()

    def add(prefix: str, roles: list[str], **attrs: object) -> User:
        person = names.staff()
        base = prefix + search_key(person.full_name).replace(" ", "").replace("'", "")
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        user = User(
            username=username,
            full_name=person.full_name,
            roles=roles,
            must_change_password=False,
            **attrs,  # type: ignore[arg-type]
        )
        plan.users.append(user)
        plan.passwords[username] = _password(rng)
        return user

    add("bgh.", ["bgh"])
    add("bgh.", ["bgh"])
    add("cntt.", ["cntt"])
    add("vp.", ["vanphong"])
    add("vp.", ["vanphong"])

    # Subject teachers: each subject's pairs are shared by as few teachers as the load allows.
    teachers: list[User] = []
    for group, codes in SUBJECT_GROUPS.items():
        group_teachers: list[User] = []
        for code in codes:
            if code in ("TIENGDANTOC", "NGOAINGU2"):
                continue  # electives are not taught in the demo school
            pairs = [(cls, code) for cls in classes]
            for start in range(0, len(pairs), LOAD_PER_TEACHER):
                chunk = pairs[start : start + LOAD_PER_TEACHER]
                teacher = add("gv.", ["gvbm"], subject_group=group)
                teacher.teaching = [TeachingAssignment(class_name=c, subject=s) for c, s in chunk]
                for pair in chunk:
                    plan.teacher_of[pair] = teacher.username
                group_teachers.append(teacher)
        # The first teacher of each group heads it.
        group_teachers[0].roles.append("tocm")
        teachers.extend(group_teachers)

    # Homeroom: one teacher per class, drawn from the subject teachers.
    shuffled = teachers[:]
    rng.shuffle(shuffled)
    for cls, teacher in zip(classes, shuffled, strict=False):
        teacher.roles.append("gvcn")
        teacher.homeroom_classes.append(cls)
        plan.homeroom_of[cls] = teacher.username
    return plan
