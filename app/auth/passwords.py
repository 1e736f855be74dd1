"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

# RFC 9106's low-memory profile: argon2id, 64 MiB, t=3, p=4.
DEFAULT_PARAMETERS = RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(DEFAULT_PARAMETERS)
_dummy_hash: str | None = None


def use_parameters(parameters: Parameters) -> None:
    """Replace the hashing cost (tests use a cheap profile; production keeps the default)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher.from_parameters(parameters)
    _dummy_hash = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def spend_verification_time(password: str) -> None:
    """Verify against a throw-away hash so an unknown username answers as slowly as a known one."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("unknown-user-placeholder")
    verify_password(_dummy_hash, password)
