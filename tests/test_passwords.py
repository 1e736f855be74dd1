"""Password hashes are argon2id and verify only the right password."""

from __future__ import annotations

from argon2 import Type

from app.auth.passwords import DEFAULT_PARAMETERS, hash_password, verify_password


def test_hash_is_argon2id_and_verifies() -> None:
    hashed = hash_password("Mật khẩu rất dài 2025")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Mật khẩu rất dài 2025")
    assert not verify_password(hashed, "mật khẩu rất dài 2025")
    assert not verify_password(None, "x")
    assert not verify_password("not-a-hash", "x")


def test_production_cost_is_argon2id_with_64_mib() -> None:
    # Tests run with a cheap profile; this is what the app uses everywhere else.
    assert DEFAULT_PARAMETERS.type is Type.ID
    assert DEFAULT_PARAMETERS.memory_cost >= 64 * 1024
    assert DEFAULT_PARAMETERS.time_cost >= 3
