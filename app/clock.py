"""Time as stored (naive UTC, like the rest of the database) and as shown (Vietnam time)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _vietnam() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # no tz database on the host: Vietnam has no DST
        return timezone(timedelta(hours=7), "ICT")


VIETNAM = _vietnam()


def utcnow() -> datetime:
    """Now, naive UTC, millisecond precision (what MongoDB stores and gives back)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def as_utc(value: datetime) -> datetime:
    """Naive UTC from a naive-UTC or aware datetime."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def local(value: datetime) -> datetime:
    return as_utc(value).replace(tzinfo=UTC).astimezone(VIETNAM)


def format_datetime(value: datetime | None) -> str:
    """ "08:15 ngày 27/11/2026" in Vietnam time."""
    if value is None:
        return ""
    return local(value).strftime("%H:%M ngày %d/%m/%Y")


def format_date(value: datetime | None) -> str:
    return "" if value is None else local(value).strftime("%d/%m/%Y")


TYPED_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def typed_day(text: str | None) -> str | None:
    """A day typed the Vietnamese way ("5/3/2026", "05/03/2026") in the ISO form a date field
    reads ("2026-03-05"); None for any other text. Whether the day exists is left to the
    caller's model."""
    found = TYPED_DAY.fullmatch(text or "")
    if found is None:
        return None
    day, month, year = found.groups()
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
