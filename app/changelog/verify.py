"""``hocba changelog verify``: walk the whole chain and name the first broken link."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase

from .chain import GENESIS, entry_hash


@dataclass
class VerifyReport:
    checked: int
    ok: bool
    first_broken_seq: int | None = None
    problem: str = ""

    def text(self) -> str:
        if self.ok:
            return f"Chuỗi nhật ký nguyên vẹn: {self.checked} mục đã kiểm tra."
        return (
            f"Chuỗi nhật ký bị phá vỡ tại mục số {self.first_broken_seq}: {self.problem} "
            f"({self.checked} mục đã kiểm tra trước đó)."
        )


async def verify_chain(db: AsyncDatabase) -> VerifyReport:
    expected_seq = 1
    prev_hash = GENESIS
    checked = 0
    async for entry in db["change_log"].find({}).sort("seq", 1):
        seq = entry.get("seq")
        if seq != expected_seq:
            return VerifyReport(
                checked,
                False,
                expected_seq,
                f"thiếu mục (gặp số {seq} thay vì {expected_seq}) — có mục đã bị xóa",
            )
        if entry.get("prev_hash") != prev_hash:
            return VerifyReport(
                checked, False, seq, "mã băm của mục trước không khớp — có mục bị xóa hoặc chèn"
            )
        if entry_hash(entry) != entry.get("hash"):
            return VerifyReport(checked, False, seq, "nội dung mục đã bị sửa sau khi ghi")
        prev_hash = entry["hash"]
        expected_seq += 1
        checked += 1
    return VerifyReport(checked, True)
