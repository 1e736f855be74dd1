"""One error root for the domain; the web layer translates these to HTTP status codes.

Every message is addressed to staff or parents, so it is written in Vietnamese.
"""

from __future__ import annotations


class HocBaError(Exception):
    """Base of every error the application raises on purpose."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(HocBaError):
    status_code = 404


class Forbidden(HocBaError):
    status_code = 403


class Conflict(HocBaError):
    status_code = 409


class TermLocked(Conflict):
    """A write touched a term or year that has been locked after approval."""


class InvalidInput(HocBaError):
    status_code = 422


class TooMany(HocBaError):
    """A limit on how often someone may do something was reached (try again later)."""

    status_code = 429


class InvalidScore(InvalidInput):
    """A score or comment level typed by a teacher could not be accepted."""
