"""The command line's own words in Vietnamese: argparse writes "usage:", "options", "show this
help message and exit" and its error messages in English (its gettext catalogue has no
Vietnamese); this parser says them in Vietnamese, for every sub-command too."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

# argparse's error messages (Python 3.11–3.13) -> Vietnamese.
_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the following arguments are required: (.+)"), "thiếu tham số bắt buộc: {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "không hiểu tham số: {0}"),
    (
        re.compile(r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)"),
        "tham số {0}: không có lựa chọn {1} (chọn một trong: {2})",
    ),
    (
        re.compile(r"argument (.+?): invalid (\w+) value: (.+)"),
        "tham số {0}: giá trị {2} không hợp lệ (cần kiểu {1})",
    ),
    (re.compile(r"argument (.+?): expected one argument"), "tham số {0}: cần một giá trị"),
    (re.compile(r"argument (.+?): (.+)"), "tham số {0}: {1}"),
]
_TYPES = {"int": "số nguyên", "float": "số"}


def vietnamese_error(message: str) -> str:
    for pattern, template in _ERRORS:
        match = pattern.fullmatch(message)
        if match:
            return template.format(*(_TYPES.get(g, g) for g in match.groups()))
    return message


class VietnameseHelpFormatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        # An empty prefix is asked for when naming a sub-command ("hocba backup"): kept.
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


class VietnameseParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help and errors are in Vietnamese (sub-commands inherit it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "Tham số"
        self._optionals.title = "Tùy chọn"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="in hướng dẫn này"
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {vietnamese_error(message)}\n")
