"""Vietnamese for the few interface words starlette-admin's templates hard-code in English.

Its templates pass most text through the translation catalogue, but some accessible names
(``aria-label``) are written in English. The loader below hands Jinja the library's template
sources with those replaced, once per template load, so screen readers speak Vietnamese too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from jinja2 import BaseLoader, Environment

# English accessible name in the library's templates -> Vietnamese.
ACCESSIBLE_NAMES = {
    'aria-label="Toggle navigation"': 'aria-label="Mở hoặc đóng menu"',
    'aria-label="Open user menu"': 'aria-label="Mở menu tài khoản"',
    'aria-label="close"': 'aria-label="Đóng"',
    'aria-label="Search in table"': 'aria-label="Tìm trong bảng"',
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
