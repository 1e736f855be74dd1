"""Beanie documents of Học bạ số."""

from .auth import AuthEvent, LoginSession, LoginThrottle
from .catalogue import SchoolClass, SchoolYear, Subject
from .changelog import ChangeLogAlarm, ChangeLogEntry, WorkerState
from .exports import ExportEntry
from .feedback import ParentReport
from .inspection import Inspection
from .operations import BackupRun, SystemNotice
from .role import Role
from .student import StudentRecord
from .user import User
from .workflow import CorrectionRequest, Gradebook

ALL_DOCUMENTS = [StudentRecord, User, SchoolYear, SchoolClass, Subject, Role]
# Sign-in state (app/auth).
ALL_DOCUMENTS += [LoginSession, LoginThrottle, AuthEvent]
# The modification log (app/changelog).
ALL_DOCUMENTS += [ChangeLogEntry, WorkerState, ChangeLogAlarm]
# Operations: backups and the notice to every user (app/backup, admin ops page).
ALL_DOCUMENTS += [BackupRun, SystemNotice]
# The approval chain (app/workflow).
ALL_DOCUMENTS += [Gradebook, CorrectionRequest]
# Parents' reports of mistakes (app/parents).
ALL_DOCUMENTS += [ParentReport]
# Inspections of the record books (app/dashboards).
ALL_DOCUMENTS += [Inspection]
# Who exported what (app/exports).
ALL_DOCUMENTS += [ExportEntry]

__all__ = [
    "ALL_DOCUMENTS",
    "ChangeLogAlarm",
    "ChangeLogEntry",
    "AuthEvent",
    "BackupRun",
    "CorrectionRequest",
    "ExportEntry",
    "Gradebook",
    "Inspection",
    "LoginSession",
    "LoginThrottle",
    "ParentReport",
    "Role",
    "SchoolClass",
    "SchoolYear",
    "StudentRecord",
    "Subject",
    "SystemNotice",
    "User",
    "WorkerState",
]
