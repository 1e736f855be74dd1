"""Password policy (regulation Art. 7.4) as pure functions with Vietnamese messages.

No database or web imports: the service layer feeds these the user's data and the clock.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from .passwords import verify_password

MIN_LENGTH = 10
# argon2 copes with long input, but an unbounded form field invites abuse.
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"

TOO_SHORT = f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."
TOO_LONG = f"Mật khẩu không được dài quá {MAX_LENGTH} ký tự."
CONTAINS_USERNAME = "Mật khẩu không được trùng hoặc chứa tên đăng nhập."
TOO_COMMON = "Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác."
REUSED = "Không được dùng lại một trong {n} mật khẩu gần nhất."

RULES = (
    f"Dài ít nhất {MIN_LENGTH} ký tự (nên dùng một câu ngắn dễ nhớ, có thể gõ tiếng Việt có dấu).",
    "Không trùng và không chứa tên đăng nhập.",
    "Không phải mật khẩu phổ biến, dễ đoán (như 123456789, matkhau123…).",
    "Không trùng với {n} mật khẩu gần nhất.",
)

_SEPARATORS = re.compile(r"[\s._\-]+")


def fold(text: str) -> str:
    """Lower case, no diacritics (đ→d), no whitespace: "Mật Khẩu 123" -> "matkhau123"."""
    decomposed = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return "".join(stripped.split())


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line) for line in lines if line.strip() and not line.startswith("#"))


def contains_username(password: str, username: str) -> bool:
    """Case- and diacritics-insensitive; "nguyen.an" is also found in "NguyễnAn2025"."""
    if not username.strip():
        return False
    folded, name = fold(password), fold(username)
    if name in folded:
        return True
    bare_name = _SEPARATORS.sub("", name)
    return len(bare_name) >= 3 and bare_name in _SEPARATORS.sub("", folded)


def is_common(password: str) -> bool:
    folded = fold(password)
    return folded in common_passwords() or _SEPARATORS.sub("", folded) in common_passwords()


def check_password(password: str, *, username: str) -> list[str]:
    """Every rule the candidate breaks (empty list: acceptable). History is checked separately."""
    password = unicodedata.normalize("NFC", password)
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(TOO_LONG)
    if contains_username(password, username):
        problems.append(CONTAINS_USERNAME)
    if is_common(password):
        problems.append(TOO_COMMON)
    return problems


def is_reused(password: str, recent_hashes: Iterable[str | None]) -> bool:
    """True when ``password`` matches one of the given argon2 hashes (current one included)."""
    return any(verify_password(h, password) for h in recent_hashes if h)


def recent_hashes(current: str | None, history: list[str], keep: int) -> list[str]:
    """The hashes that count as "the last ``keep`` passwords": the current one and its elders."""
    hashes = [*history, current] if current else list(history)
    return hashes[-keep:] if keep > 0 else []


def next_history(current: str | None, history: list[str], keep: int) -> list[str]:
    """History to store after a change: the ``keep - 1`` most recent former hashes."""
    previous = recent_hashes(current, history, keep)
    return previous[-(keep - 1) :] if keep > 1 else []


class ChangeReason(StrEnum):
    MUST_CHANGE = "must_change"
    EXPIRED = "expired"


def expires_at(changed_at: datetime | None, expiry_days: int) -> datetime | None:
    """When the password expires; unknown (``None``) when it was never stamped."""
    return None if changed_at is None else changed_at + timedelta(days=expiry_days)


def days_left(changed_at: datetime | None, *, now: datetime, expiry_days: int) -> int | None:
    """Whole days until expiry, rounded up (0 once expired)."""
    end = expires_at(changed_at, expiry_days)
    if end is None:
        return None
    return max(0, math.ceil((end - now) / timedelta(days=1)))


def change_reason(
    *, must_change: bool, changed_at: datetime | None, now: datetime, expiry_days: int
) -> ChangeReason | None:
    """Why the user must change the password before doing anything else (None: no need)."""
    if must_change:
        return ChangeReason.MUST_CHANGE
    end = expires_at(changed_at, expiry_days)
    if end is not None and now >= end:
        return ChangeReason.EXPIRED
    return None


def expiry_warning(
    changed_at: datetime | None, *, now: datetime, expiry_days: int, warning_days: int
) -> str | None:
    """The reminder shown after sign-in when expiry is near."""
    left = days_left(changed_at, now=now, expiry_days=expiry_days)
    if left is None or left <= 0 or left > warning_days:
        return None
    return f"Mật khẩu của bạn sẽ hết hạn sau {left} ngày. Hãy đổi mật khẩu sớm."
