"""Beanie documents of Học bạ số."""

from .auth import AuthEvent, LoginSession, LoginThrottle
from .catalogue import SchoolClass, SchoolYear, Subject
from .changelog import ChangeLogAlarm, ChangeLogEntry, WorkerState
from .exports import ExportEntry
from .operations import BackupRun, SystemNotice
from .role import Role
from .student import StudentRecord
from .user import User
from .workflow import Gradebook

ALL_DOCUMENTS = [StudentRecord, User, SchoolYear, SchoolClass, Subject, Role]
# Sign-in state (app/auth).
ALL_DOCUMENTS += [LoginSession, LoginThrottle, AuthEvent]
# The modification log (app/changelog).
ALL_DOCUMENTS += [ChangeLogEntry, WorkerState, ChangeLogAlarm]
# Operations: backups and the notice to every user (app/backup, admin ops page).
ALL_DOCUMENTS += [BackupRun, SystemNotice]
# The approval chain (app/workflow).
ALL_DOCUMENTS += [Gradebook]
# Who exported what (app/exports).
ALL_DOCUMENTS += [ExportEntry]

__all__ = [
    "ALL_DOCUMENTS",
    "ChangeLogAlarm",
    "ChangeLogEntry",
    "AuthEvent",
    "BackupRun",
    "ExportEntry",
    "Gradebook",
    "LoginSession",
    "LoginThrottle",
    "Role",
    "SchoolClass",
    "SchoolYear",
    "StudentRecord",
    "Subject",
    "SystemNotice",
    "User",
    "WorkerState",
]
