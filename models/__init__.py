"""Beanie documents of Học bạ số."""

from .auth import AuthEvent, LoginSession, LoginThrottle
from .catalogue import SchoolClass, SchoolYear, Subject
from .changelog import ChangeLogAlarm, ChangeLogEntry, WorkerState
from .role import Role
from .student import StudentRecord
from .user import User

ALL_DOCUMENTS = [StudentRecord, User, SchoolYear, SchoolClass, Subject, Role]
# Sign-in state (app/auth).
ALL_DOCUMENTS += [LoginSession, LoginThrottle, AuthEvent]
# The modification log (app/changelog).
ALL_DOCUMENTS += [ChangeLogEntry, WorkerState, ChangeLogAlarm]

__all__ = [
    "ALL_DOCUMENTS",
    "ChangeLogAlarm",
    "ChangeLogEntry",
    "AuthEvent",
    "LoginSession",
    "LoginThrottle",
    "Role",
    "SchoolClass",
    "SchoolYear",
    "StudentRecord",
    "Subject",
    "User",
    "WorkerState",
]
