"""``hocba changelog verify``: walk the whole chain and name the first broken link, then check
that no change of any audited record is missing (``completeness``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase

from .chain import GENESIS, entry_hash
from .completeness import CompletenessReport, check_completeness, recheck


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


async def verify_chain(
    db: AsyncDatabase, progress: Callable[[int], None] | None = None
) -> VerifyReport:
    """``progress`` is told the number of entries checked so far, every 500 entries."""
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
        if progress is not None and checked % 500 == 0:
            progress(checked)
    return VerifyReport(checked, True)


@dataclass
class LogReport:
    """The chain (nothing altered) and completeness (nothing missing) together."""

    chain: VerifyReport
    completeness: CompletenessReport

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.completeness.ok

    def lines(self, *, limit: int = 50) -> list[str]:
        done = self.completeness
        lines = [self.chain.text()]
        if done.ok:
            lines.append(
                f"Nhật ký đầy đủ: {done.records} bản ghi, các phiên bản liên tục đến hiện tại."
            )
        else:
            lines.append(
                f"Nhật ký thiếu thay đổi của {len(done.gaps)} trong {done.records} bản ghi:"
            )
            lines += [f"  {gap.text()}" for gap in done.gaps[:limit]]
            if len(done.gaps) > limit:
                lines.append(f"  … và {len(done.gaps) - limit} bản ghi khác.")
        if done.acknowledged:
            lines.append(
                f"Đã có {done.acknowledged} chỗ thiếu được ghi nhận bằng mục «khoảng trống»."
            )
        return lines


async def verify_log(db: AsyncDatabase, *, grace: float = 2.0) -> LogReport:
    """Check the chain and completeness. A record that looks behind is checked again after
    ``grace`` seconds against the state first found: a running worker may just be catching up."""
    chain = await verify_chain(db)
    completeness = await check_completeness(db)
    if completeness.gaps and grace > 0:
        await asyncio.sleep(grace)
        completeness.gaps = await recheck(db, completeness.gaps)
    return LogReport(chain, completeness)
