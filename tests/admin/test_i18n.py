"""Vietnamese admin: catalogue completeness and quality, language choice, end-to-end rendering."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import starlette_admin
import starlette_admin.i18n as sa_i18n
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette_admin import CustomView, HtmlWidget
from starlette_admin.base import BaseAdmin

from admin.i18n import (
    I18N_CONFIG,
    PO_PATH,
    TIMEZONE_CONFIG,
    VietnameseMiddleware,
    install_vietnamese,
)

PACKAGE_DIR = Path(starlette_admin.__file__).parent
FR_PO = PACKAGE_DIR / "translations" / "fr" / "LC_MESSAGES" / "admin.po"

# Translations allowed to read exactly like the English id, each with its reason. Empty: even
# "Format", "UUID" and " AND " have a Vietnamese rendering.
SAME_AS_ENGLISH: dict[str, str] = {}

_PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sd]|\{\w*\}")
# Pre-1980s tone placement on an open final syllable ("xoá", "huỷ", "thoả"); the modern
# spelling used throughout the product puts the mark on the main vowel ("xóa", "hủy").
_OLD_TONE_PLACEMENT = re.compile(r"(?<![qQ])(?:[oO][áàảãạ]|[oO][éèẻẽẹ]|[uU][ýỳỷỹỵ])(?!\w)")


def _read(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp)


def _key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _messages(catalog: Catalog) -> dict[str, Message]:
    return {_key(m): m for m in catalog if m.id}


def _strings(message: Message) -> list[str]:
    string = message.string
    return [string] if isinstance(string, str) else list(string or ())


def _english(message: Message) -> str:
    """The English a translation stands for; with one plural form that is the plural id."""
    return message.id if isinstance(message.id, str) else message.id[-1]


def _placeholders(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def vi() -> dict[str, Message]:
    return _messages(_read(PO_PATH))


@pytest.fixture(scope="module")
def upstream_ids() -> set[str]:
    """Every id starlette-admin can look up: its catalogue plus ids its templates use."""
    ids = set(_messages(_read(FR_PO)))
    extracted = extract_from_dir(
        str(PACKAGE_DIR / "templates"),
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
    )
    for _filename, _lineno, message, _comments, _context in extracted:
        ids.add(message if isinstance(message, str) else message[0])
    return ids


# --- the catalogue -------------------------------------------------------------------------


def test_catalogue_covers_all_upstream_ids(vi: dict[str, Message], upstream_ids: set[str]) -> None:
    assert len(upstream_ids) > 200  # the fixture really read the package
    missing = sorted(upstream_ids - set(vi))
    assert not missing, f"no Vietnamese entry for {missing}"


def test_every_entry_is_translated_and_not_fuzzy(vi: dict[str, Message]) -> None:
    untranslated = [k for k, m in vi.items() if not all(s.strip() for s in _strings(m))]
    fuzzy = [k for k, m in vi.items() if m.fuzzy]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_placeholders_match_the_english(vi: dict[str, Message]) -> None:
    wrong = []
    for key, message in vi.items():
        # One plural form: msgstr[0] also serves n == 1, so it must carry the plural's %(count)d.
        english = _english(message)
        wrong += [
            (key, text)
            for text in _strings(message)
            if _placeholders(text) != _placeholders(english)
        ]
    assert not wrong, wrong


def test_nothing_is_left_in_english(vi: dict[str, Message]) -> None:
    same = []
    for key, message in vi.items():
        english = {message.id} if isinstance(message.id, str) else set(message.id)
        if key not in SAME_AS_ENGLISH and english & set(_strings(message)):
            same.append(key)
    assert not same, same


def test_modern_tone_placement(vi: dict[str, Message]) -> None:
    old_style = [s for m in vi.values() for s in _strings(m) if _OLD_TONE_PLACEMENT.search(s)]
    assert not old_style, old_style


def test_header_declares_vietnamese_single_plural_form() -> None:
    catalog = _read(PO_PATH)
    assert str(catalog.locale) == "vi"
    assert catalog.num_plurals == 1
    assert catalog.plural_expr == "0"
    assert not catalog.obsolete


def test_no_compiled_catalogue_is_committed() -> None:
    assert not list(PO_PATH.parent.glob("*.mo"))


# --- registration in starlette-admin ---------------------------------------------------------


def test_install_registers_vi_once() -> None:
    first = install_vietnamese()
    assert install_vietnamese() is first
    assert sa_i18n.SUPPORTED_LOCALES.count("vi") == 1
    assert sa_i18n.translations["vi"] is first


def test_set_locale_vi_translates_and_formats_dates() -> None:
    install_vietnamese()
    sa_i18n.set_locale("vi")
    try:
        assert sa_i18n.get_locale() == "vi"
        assert sa_i18n.gettext("Delete") == "Xóa"
        assert sa_i18n.gettext("Cancel") == "Hủy"
        deleted = ("1 item was successfully deleted.", "%(count)d items were successfully deleted.")
        assert sa_i18n.ngettext(*deleted, 1) % {"count": 1} == "Đã xóa 1 bản ghi."
        assert sa_i18n.ngettext(*deleted, 3) % {"count": 3} == "Đã xóa 3 bản ghi."
        assert sa_i18n.format_date(datetime.date(2024, 9, 5)) == "5 thg 9, 2024"
    finally:
        sa_i18n.set_locale("en")


# --- choosing the language -------------------------------------------------------------------


def test_config_lets_nothing_choose_another_language() -> None:
    assert I18N_CONFIG.default_locale == "vi"
    assert I18N_CONFIG.language_header_name is None
    assert I18N_CONFIG.language_cookie_name is None
    assert not I18N_CONFIG.language_switcher
    assert TIMEZONE_CONFIG.default_timezone == "Asia/Ho_Chi_Minh"
    assert TIMEZONE_CONFIG.database_timezone == "UTC"


# --- end to end through starlette-admin ------------------------------------------------------


async def _probe(request: Request) -> HtmlWidget:
    when = datetime.date(2024, 9, 5)
    return HtmlWidget(
        html=(
            f"<p id='probe'>{sa_i18n.get_locale()}|{sa_i18n.get_timezone()}"
            f"|{sa_i18n.format_date(when)}</p>"
        )
    )


@pytest.fixture(scope="module")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette()
    admin = BaseAdmin(
        title="Học bạ số",
        secret_key="test-secret",
        i18n_config=I18N_CONFIG,
        timezone_config=TIMEZONE_CONFIG,
        middlewares=[Middleware(VietnameseMiddleware)],
    )
    admin.add_view(CustomView(menu_label="Probe", path="/probe", widget=_probe))
    admin.mount_to(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _index(client: httpx.AsyncClient, **kwargs: object) -> str:
    response = await client.get("/admin/", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(
    "header",
    ["vi-VN,vi;q=0.9", "en-US,en;q=0.9", "en", "fr-FR", "ja-JP,*;q=0.5", "", "garbage;;"],
)
async def test_every_browser_gets_vietnamese(client: httpx.AsyncClient, header: str) -> None:
    html = await _index(client, headers={"Accept-Language": header})
    assert '<html lang="vi"' in html
    assert "Không có danh mục dữ liệu nào để hiển thị." in html
    assert "No data views are available." not in html
    assert "Change language" not in html  # no switcher to English


async def test_a_language_cookie_changes_nothing(client: httpx.AsyncClient) -> None:
    client.cookies.set("language", "en")
    try:
        html = await _index(client, headers={"Accept-Language": "en-US,en;q=0.9"})
    finally:
        client.cookies.clear()
    assert "Không có danh mục dữ liệu nào để hiển thị." in html
    assert "No data views are available." not in html


async def test_display_timezone_is_pinned_to_viet_nam(client: httpx.AsyncClient) -> None:
    client.cookies.set("timezone", "UTC")  # what a browser on a UTC-clock PC would send
    try:
        response = await client.get("/admin/probe", headers={"Accept-Language": "vi-VN"})
    finally:
        client.cookies.clear()
    assert response.status_code == 200
    assert "<p id='probe'>vi|Asia/Ho_Chi_Minh|5 thg 9, 2024</p>" in response.text
