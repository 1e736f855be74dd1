"""Password rules (Art. 7.4) as pure functions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.auth import policy
from app.auth.passwords import hash_password

NOW = datetime(2026, 3, 1, 8, 0)


def test_a_good_password_passes() -> None:
    assert policy.check_password("Trời xanh mây trắng 2025", username="gv.lan") == []


@pytest.mark.parametrize("password", ["", "abc", "Ngắn9ký!x"])
def test_minimum_length_is_ten(password: str) -> None:
    assert policy.TOO_SHORT in policy.check_password(password, username="gv.lan")


def test_ten_characters_are_enough_even_with_diacritics() -> None:
    # Ten user-perceived characters, whatever the keyboard produced (NFD input).
    import unicodedata

    word = unicodedata.normalize("NFD", "Đường lên ")  # 10 characters composed
    assert len(unicodedata.normalize("NFC", word)) == 10
    assert policy.TOO_SHORT not in policy.check_password(word, username="gv.lan")


def test_very_long_passwords_are_refused() -> None:
    assert policy.TOO_LONG in policy.check_password("a" * 129 + "Zk", username="gv.lan")


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("nguyen.an", "nguyen.an"),
        ("NGUYEN.AN-secret-2025", "nguyen.an"),
        ("Mật khẩu của Nguyễn.An", "nguyen.an"),  # diacritics ignored
        ("NguyenAn2025 mùa hè", "nguyen.an"),  # separators ignored
        ("xx-hocsinh01-yy-2025", "HocSinh01"),
    ],
)
def test_password_must_not_contain_the_username(password: str, username: str) -> None:
    assert policy.CONTAINS_USERNAME in policy.check_password(password, username=username)


def test_unrelated_password_does_not_trip_the_username_rule() -> None:
    assert policy.CONTAINS_USERNAME not in policy.check_password(
        "Đồi thông hai mộ 1984", username="gv.lan"
    )


@pytest.mark.parametrize(
    "password",
    [
        "123456789",
        "1234567890",
        "matkhau123",
        "MATKHAU123",
        "Mật khẩu 123",
        "mậtkhẩu@2025",
        "hocbaso2025",
        "Học Bạ Số 2025",
        "qwertyuiop",
        "anhyeuem123",
        "password123",
        "matkhau-123",
    ],
)
def test_common_passwords_are_refused(password: str) -> None:
    assert policy.TOO_COMMON in policy.check_password(password, username="gv.lan")


def test_common_list_is_large_and_has_vietnamese_entries() -> None:
    entries = policy.common_passwords()
    assert len(entries) >= 300
    assert {"123456789", "matkhau123", "hocbaso2025", "anhyeuem"} <= entries


def test_fold_removes_case_diacritics_and_spaces() -> None:
    assert policy.fold("Mật Khẩu ĐẮK LẮK") == "matkhaudaklak"


def test_reuse_checks_current_and_history() -> None:
    old = [hash_password(f"Mật khẩu số {i} dài") for i in range(1, 5)]
    current = hash_password("Mật khẩu số 5 dài")
    recent = policy.recent_hashes(current, old, 5)
    assert len(recent) == 5
    for i in range(1, 6):
        assert policy.is_reused(f"Mật khẩu số {i} dài", recent)
    assert not policy.is_reused("Mật khẩu số 6 dài", recent)


def test_history_keeps_four_former_hashes_for_a_window_of_five() -> None:
    history: list[str] = []
    current: str | None = None
    hashes = [f"h{i}" for i in range(1, 8)]
    for new in hashes:
        history = policy.next_history(current, history, 5)
        current = new
    assert history == ["h3", "h4", "h5", "h6"]
    assert policy.recent_hashes(current, history, 5) == ["h3", "h4", "h5", "h6", "h7"]
    assert policy.next_history("h1", ["h0"], 1) == []


def test_forced_change_reasons() -> None:
    fresh = NOW - timedelta(days=10)
    assert (
        policy.change_reason(must_change=True, changed_at=fresh, now=NOW, expiry_days=90)
        is policy.ChangeReason.MUST_CHANGE
    )
    assert (
        policy.change_reason(must_change=False, changed_at=fresh, now=NOW, expiry_days=90) is None
    )
    old = NOW - timedelta(days=90)
    assert (
        policy.change_reason(must_change=False, changed_at=old, now=NOW, expiry_days=90)
        is policy.ChangeReason.EXPIRED
    )
    # Never stamped (e.g. imported accounts): no expiry is assumed.
    assert policy.change_reason(must_change=False, changed_at=None, now=NOW, expiry_days=90) is None


@pytest.mark.parametrize(
    ("age_days", "expected"),
    [
        (75, None),
        (76, "Mật khẩu của bạn sẽ hết hạn sau 14 ngày. Hãy đổi mật khẩu sớm."),
        (89, "Mật khẩu của bạn sẽ hết hạn sau 1 ngày. Hãy đổi mật khẩu sớm."),
        (90, None),
    ],
)
def test_expiry_warning_window(age_days: int, expected: str | None) -> None:
    changed = NOW - timedelta(days=age_days)
    assert policy.expiry_warning(changed, now=NOW, expiry_days=90, warning_days=14) == expected


def test_days_left_rounds_up() -> None:
    changed = NOW - timedelta(days=80, hours=1)
    assert policy.days_left(changed, now=NOW, expiry_days=90) == 10
    assert policy.days_left(NOW - timedelta(days=100), now=NOW, expiry_days=90) == 0
