"""The command line speaks Vietnamese: its help, its sub-commands' help and its errors."""

from __future__ import annotations

import re

import pytest

from app.cli import build_parser

ENGLISH = re.compile(
    r"\b(usage|options|positional arguments|show this help|the following|required|invalid|"
    r"choose from|unrecognized|start|create|write|print|check|restore|default)\b"
)


def help_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as leaving:
        build_parser().parse_args([*argv, "--help"])
    assert leaving.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["serve"],
        ["seed"],
        ["create-admin"],
        ["changelog"],
        ["changelog", "verify"],
        ["field-key"],
        ["backup"],
        ["backup", "verify"],
        ["backup", "keygen"],
        ["backup", "schedule"],
        ["restore"],
    ],
)
def test_every_help_is_vietnamese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(argv, capsys)
    assert text.startswith("Cách dùng: hocba")
    assert "in hướng dẫn này" in text
    # Command and option names are identifiers typed as they are; the words around them are not.
    words = re.sub(r"--?[\w-]+|\b(?:create-admin|restore|changelog-worker|field-key)\b", "", text)
    assert not ENGLISH.search(words.lower()), text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope"], "lỗi: tham số LỆNH: không có lựa chọn 'nope'"),
        (["restore"], "lỗi: thiếu tham số bắt buộc: TỆP"),
        (["seed", "--students", "abc"], "giá trị 'abc' không hợp lệ (cần kiểu số nguyên)"),
        (["seed", "--thua"], "lỗi: không hiểu tham số: --thua"),
    ],
)
def test_mistakes_are_explained_in_vietnamese(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as leaving:
        build_parser().parse_args(argv)
    assert leaving.value.code == 2
    assert message in capsys.readouterr().err
