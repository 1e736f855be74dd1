"""``$user.<attribute>`` variables that rules may reference, and the context they come from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from models.user import User

USER_PREFIX = "$user."
ASSIGNED_SUBJECT = "$assigned_subject"  # field patterns only: record-aware
CURRENT_YEAR = "$current_year"  # field patterns only: = $user.current_school_year

# name -> (Vietnamese description, list-valued?)
VARIABLES: dict[str, tuple[str, bool]] = {
    "username": ("tên đăng nhập", False),
    "id": ("mã tài khoản", False),
    "roles": ("các vai trò", True),
    "homeroom_classes": ("các lớp chủ nhiệm", True),
    "teaching_classes": ("các lớp được phân công dạy", True),
    "teaching_subjects": ("các môn được phân công dạy", True),
    "subject_group": ("tổ chuyên môn", False),
    "group_subjects": ("các môn của tổ chuyên môn", True),
    "current_school_year": ("năm học hiện tại", False),
    "children": ("các học sinh mà tài khoản phụ huynh được theo dõi", True),
}


def variable_names() -> list[str]:
    return [USER_PREFIX + name for name in VARIABLES]


def is_list_variable(name: str) -> bool:
    """``name`` is a full variable ("$user.roles")."""
    return VARIABLES[name.removeprefix(USER_PREFIX)][1]


@dataclass(frozen=True)
class UserContext:
    """What rules may know about the acting user, resolved once per request."""

    username: str
    id: str | None = None
    active: bool = True
    roles: tuple[str, ...] = ()
    homeroom_classes: tuple[str, ...] = ()
    teaching: tuple[tuple[str, str], ...] = ()  # (class_name, subject code)
    subject_group: str | None = None
    group_subjects: tuple[str, ...] = ()
    current_school_year: str | None = None
    children: tuple[str, ...] = ()  # record ids of a parent's children
    subjects_by_class: Mapping[str, frozenset[str]] = field(default_factory=dict, compare=False)

    @property
    def teaching_classes(self) -> list[str]:
        return sorted({c for c, _ in self.teaching})

    @property
    def teaching_subjects(self) -> list[str]:
        return sorted({s for _, s in self.teaching})

    def value(self, variable: str) -> Any:
        """The value of "$user.<attr>": a str, a list of str, or None when the user has none."""
        name = variable.removeprefix(USER_PREFIX)
        if name not in VARIABLES:
            raise KeyError(variable)
        value = getattr(self, name)
        return list(value) if isinstance(value, tuple) else value

    def assigned_subjects(self, class_name: str | None) -> frozenset[str]:
        """Subjects this user teaches in ``class_name`` (``$assigned_subject``)."""
        if not class_name:
            return frozenset()
        return self.subjects_by_class.get(class_name, frozenset())


def build_context(
    user: User,
    *,
    current_school_year: str | None = None,
    group_subjects: Iterable[str] = (),
) -> UserContext:
    """A context from a user and the two values that come from the catalogues (pure)."""
    teaching = tuple(sorted({(t.class_name, t.subject) for t in user.teaching}))
    by_class: dict[str, set[str]] = {}
    for class_name, subject in teaching:
        by_class.setdefault(class_name, set()).add(subject)
    return UserContext(
        username=user.username,
        id=str(user.id) if user.id is not None else None,
        active=user.active,
        roles=tuple(user.roles),
        homeroom_classes=tuple(user.homeroom_classes),
        teaching=teaching,
        subject_group=user.subject_group,
        group_subjects=tuple(sorted(set(group_subjects))),
        current_school_year=current_school_year,
        children=tuple(user.children),
        subjects_by_class={k: frozenset(v) for k, v in by_class.items()},
    )
