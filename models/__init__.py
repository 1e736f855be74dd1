"""Beanie documents of Học bạ số."""

from .catalogue import SchoolClass, SchoolYear, Subject
from .student import StudentRecord
from .user import User

ALL_DOCUMENTS = [StudentRecord, User, SchoolYear, SchoolClass, Subject]

__all__ = ["ALL_DOCUMENTS", "SchoolClass", "SchoolYear", "StudentRecord", "Subject", "User"]
