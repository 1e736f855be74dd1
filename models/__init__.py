"""Beanie documents of Học bạ số."""

from .auth import AuthEvent, LoginSession, LoginThrottle
from .catalogue import SchoolClass, SchoolYear, Subject
from .role import Role
from .student import StudentRecord
from .user import User

ALL_DOCUMENTS = [StudentRecord, User, SchoolYear, SchoolClass, Subject, Role]
# Sign-in state (app/auth).
ALL_DOCUMENTS += [LoginSession, LoginThrottle, AuthEvent]

__all__ = [
    "ALL_DOCUMENTS",
    "AuthEvent",
    "LoginSession",
    "LoginThrottle",
    "Role",
    "SchoolClass",
    "SchoolYear",
    "StudentRecord",
    "Subject",
    "User",
]
