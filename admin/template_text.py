"""Vietnamese for the few interface words starlette-admin hard-codes in English.

Its templates pass most text through the translation catalogue, but some accessible names
(``aria-label``) are written in English. The loader below hands Jinja the library's template
sources with those replaced, once per template load, so screen readers speak Vietnamese too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib.resources import files

from jinja2 import BaseLoader, Environment

# English accessible name in the library's templates -> Vietnamese.
ACCESSIBLE_NAMES = {
    'aria-label="Toggle navigation"': 'aria-label="Mở hoặc đóng menu"',
    'aria-label="Open user menu"': 'aria-label="Mở menu tài khoản"',
    'aria-label="close"': 'aria-label="Đóng"',
    'aria-label="Search in table"': 'aria-label="Tìm trong bảng"',
    # A list field's buttons: "add an item" is a link without a role, "remove" an icon alone.
    'class="field-list-btn-add mt-2">': (
        'class="field-list-btn-add mt-2" role="button" tabindex="0">'
    ),
    'class="field-list-btn-remove btn btn-ghost-danger btn-icon mx-2">': (
        'class="field-list-btn-remove btn btn-ghost-danger btn-icon mx-2" aria-label="Xóa mục">'
    ),
}


# The export dialog proposes the download's name the view gives (export_filename), not the
# view's internal key ("students").
EXPORT_NAME = {
    'placeholder="{{ filename }}"': 'placeholder="{{ export_filename(request) }}"',
    "filename=filename)": "filename=export_filename(request))",
}


# A view's name inside a sentence is lower-case in Vietnamese: «Thêm tài khoản», not «Thêm Tài
# khoản» (the name alone, as a heading, keeps its capital).
NAME_IN_SENTENCE = {
    '_("New %(name)s", name=view.display_name)': '_("New %(name)s", name=view.display_name | lower)'
}


class ReplacingLoader(BaseLoader):
    """Another loader's templates with fixed text replaced."""

    def __init__(self, inner: BaseLoader, replacements: Mapping[str, str]) -> None:
        self.inner = inner
        self.replacements = dict(replacements)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        for old, new in self.replacements.items():
            source = source.replace(old, new)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


# English the library's scripts write themselves (fallback messages, placeholders) -> Vietnamese,
# per script under its static "js/" folder. Served in place of the originals (see app.py).
SCRIPT_TEXT: dict[str, dict[str, str]] = {
    "actions.js": {'"Something went wrong!"': '"Đã có lỗi, thao tác chưa thực hiện được."'},
    "form.js": {'"Search..."': '"Tìm…"'},
    "list.js": {
        '"Something went wrong! The value was not saved."': '"Đã có lỗi, giá trị chưa được lưu."',
        '"Failed to load row"': '"Không tải được dòng này"',
        '"Malformed row"': '"Dòng trả về không đọc được"',
        '"Could not reach the server. Check your connection and try again."': (
            '"Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại."'
        ),
        '"Failed to load field"': '"Không tải được ô này"',
        '"Something went wrong! The editor could not be loaded."': (
            '"Đã có lỗi, không mở được ô sửa."'
        ),
    },
}


@cache
def translated_script(name: str) -> str:
    """The library's script ``js/<name>`` with its English texts in Vietnamese."""
    source = files("starlette_admin").joinpath("static", "js", name).read_text(encoding="utf-8")
    for old, new in SCRIPT_TEXT[name].items():
        source = source.replace(old, new)
    return source


# The library's own error details (English, not in its catalogue) -> Vietnamese.
_ERROR_DETAILS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"Invalid 'filter' parameter: unknown filter field: '(.+)'"),
        "Bộ lọc không hợp lệ: không có trường «{0}» để lọc.",
    ),
    (
        re.compile(r"Invalid 'filter' parameter: unknown filter '(.+)' for field '(.+)'"),
        "Bộ lọc không hợp lệ: trường «{1}» không có phép lọc «{0}».",
    ),
    (
        re.compile(r"Invalid 'filter' parameter: .*", re.S),
        "Bộ lọc trong địa chỉ trang không hợp lệ. Hãy tạo lại bộ lọc bằng nút «Bộ lọc».",
    ),
    (
        re.compile(r"Invalid page_size (.+)\. Allowed values: \[(.+)\]"),
        "Không hỗ trợ {0} dòng mỗi trang; hãy chọn một trong các số: {1}.",
    ),
    (re.compile(r"Field '(.+)' is not accessible"), "Không thể sắp xếp theo trường «{0}»."),
]


def error_detail(detail: object) -> str | None:
    """What an error page says below its status message, in Vietnamese, or None.

    Our own errors already speak Vietnamese and are shown as they are; the library's known
    English details are translated; any other English text (Starlette's reason phrases, a
    library message not listed above) is left out rather than shown untranslated.
    """
    if not isinstance(detail, str) or not detail.strip():
        return None
    for pattern, message in _ERROR_DETAILS:
        match = pattern.fullmatch(detail)
        if match:
            return message.format(*match.groups())
    return detail if not detail.isascii() else None
