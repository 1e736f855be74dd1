"""A pupil's history reads like history: what was entered, in order, with the engine's
recomputations folded under it and no rows that changed nothing."""

from __future__ import annotations

from decimal import Decimal

from bson.decimal128 import Decimal128

from app.changelog.history import HistoryFilter, readable_changes


def change(path: str, old: object, new: object) -> dict[str, object]:
    return {"path": path, "title": path, "old": old, "new": new, "old_known": True}


def test_recomputations_are_folded_and_no_op_rows_dropped() -> None:
    y = "years.2025-2026"
    entry = {
        "diff": [
            change(f"{y}.pending.11", "Toán: thiếu ĐĐGgk", None),
            change(f"{y}.subjects.TOAN.hk1.tx.10", None, Decimal128("7")),
            change(f"{y}.subjects.TOAN.hk1.tx.9", None, Decimal128("6")),
            change(f"{y}.subjects.TOAN.hk1.tx.2", None, Decimal128("5")),
            change(f"{y}.subjects.TOAN.hk1.gk", Decimal128("8"), Decimal("8.0")),
            change(f"{y}.subjects.TOAN.hk1.average", None, Decimal128("6.5")),
            change(f"{y}.learning.hk1", None, "K"),
            change(f"{y}.pending.4", "Toán: thiếu ĐĐGck", None),
        ]
    }
    shown = readable_changes(entry, HistoryFilter())
    assert [d["path"].rsplit(".", 1)[1] for d in shown["diff"]] == ["2", "9", "10"]
    derived = [d["path"] for d in shown["derived"]]
    assert derived == [
        f"{y}.learning.hk1",
        f"{y}.pending.4",
        f"{y}.pending.11",
        f"{y}.subjects.TOAN.hk1.average",
    ]


def test_an_entry_of_recomputations_only_shows_them() -> None:
    entry = {"diff": [change("years.2025-2026.learning.year", None, "Đ")]}
    shown = readable_changes(entry, HistoryFilter())
    assert [d["path"] for d in shown["diff"]] == ["years.2025-2026.learning.year"]
    assert shown["derived"] == []
