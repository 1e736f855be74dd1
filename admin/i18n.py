"""Vietnamese for starlette-admin: the catalogue, the language of each request, the timezone.

starlette-admin 1.0.3 ships no Vietnamese locale, and its ``LocaleMiddleware`` only recognises an
``Accept-Language`` header that *equals* a locale code, so ``vi-VN,vi;q=0.9`` falls back to
English. This module fixes both.

Wiring, in the app factory::

    from starlette.middleware import Middleware
    from admin.i18n import I18N_CONFIG, TIMEZONE_CONFIG, LanguageMiddleware, locale_display_name

    admin = Admin(
        ...,
        i18n_config=I18N_CONFIG,
        timezone_config=TIMEZONE_CONFIG,
        middlewares=[Middleware(LanguageMiddleware)],
    )
    admin.templates.env.globals["get_locale_display_name"] = locale_display_name

Why our decision wins: ``BaseAdmin._init_locale`` always inserts starlette-admin's own
``LocaleMiddleware`` at index 0 of ``admin.middlewares`` (ahead of those passed in) when
``i18n_config`` is set, and Starlette runs the first entry outermost. ``LanguageMiddleware`` is
therefore inner: it calls ``set_locale`` after the stock one, in the same request context, so
its choice is what the views and templates see. ``I18N_CONFIG`` also sets
``language_header_name=None`` so the stock middleware never looks at the header at all; it still
applies the cookie and the default, which agree with ours.

The ``.po`` file is the only committed form of the catalogue: it is compiled in memory when
this module is imported (``install_vietnamese``), so there is no ``.mo`` to forget to rebuild.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from io import BytesIO
from pathlib import Path

import starlette_admin.i18n as sa_i18n
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_admin import I18nConfig, TimezoneConfig

VIETNAMESE = "vi"
DEFAULT_LOCALE = VIETNAMESE
LANGUAGE_COOKIE = "language"
DOMAIN = "admin"
PO_PATH = Path(__file__).parent / "translations" / VIETNAMESE / "LC_MESSAGES" / f"{DOMAIN}.po"

I18N_CONFIG = I18nConfig(
    default_locale=DEFAULT_LOCALE,
    language_cookie_name=LANGUAGE_COOKIE,
    # Header parsing is LanguageMiddleware's job: the stock one only does exact matches.
    language_header_name=None,
    language_switcher=[VIETNAMESE, "en"],
)

# Every user is in Viet Nam, so the display timezone is pinned: the stock behaviour (a cookie
# set from the browser's clock) would shift grade and attendance timestamps by hours on a
# misconfigured school PC, and would also be used to interpret datetimes typed into forms.
TIMEZONE_CONFIG = TimezoneConfig(
    default_timezone="Asia/Ho_Chi_Minh",
    database_timezone="UTC",
    timezone_cookie_name=None,
    use_user_locale_timezone=False,
)

_install_lock = threading.Lock()
_installed: Translations | None = None


def compile_catalog(path: Path = PO_PATH) -> Translations:
    """Compile a ``.po`` file in memory (``read_po`` → ``write_mo`` → ``Translations``)."""
    with path.open("rb") as fp:
        catalog = read_po(fp, locale=VIETNAMESE, domain=DOMAIN, abort_invalid=True)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def install_vietnamese() -> Translations:
    """Register "vi" with starlette-admin so ``set_locale("vi")`` works. Idempotent.

    Mutates ``starlette_admin.i18n`` in place (``SUPPORTED_LOCALES`` is read by its
    ``LocaleMiddleware`` and plugin-catalogue loader; ``translations`` by ``set_locale``).
    """
    global _installed
    with _install_lock:
        if _installed is not None and sa_i18n.translations.get(VIETNAMESE) is _installed:
            return _installed
        # Fail at startup, not on the first page with a date, if babel lacks Vietnamese data.
        Locale.parse(VIETNAMESE)
        translations = compile_catalog()
        if VIETNAMESE not in sa_i18n.SUPPORTED_LOCALES:
            sa_i18n.SUPPORTED_LOCALES.append(VIETNAMESE)
        sa_i18n.translations[VIETNAMESE] = translations
        _installed = translations
        return translations


def locale_display_name(locale: str) -> str:
    """Language name in its own language, for the switcher: "Tiếng Việt", "English".

    starlette-admin's ``get_locale_display_name`` uses ``str.capitalize()``, which lower-cases
    the rest and prints "Tiếng việt"; only the first letter should change.
    """
    name = Locale.parse(locale).display_name or locale
    return name[:1].upper() + name[1:]


# --- Accept-Language -------------------------------------------------------------------------

_LANGUAGE_RANGE = re.compile(r"\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_QVALUE = re.compile(r"0(?:\.\d{0,3})?|1(?:\.0{0,3})?")
_MAX_RANGES = 32  # browsers send a handful; ignore the tail of an absurd header
# Region subtags that mean Traditional script, for the "zh_Hant" catalogue.
_SCRIPT_ALIASES = {"zh-tw": "zh-hant", "zh-hk": "zh-hant", "zh-mo": "zh-hant"}


def _normalise(tag: str) -> str:
    return tag.strip().replace("_", "-").lower()


def _fallbacks(tag: str) -> Iterator[str]:
    """``zh-hant-tw`` → ``zh-hant-tw``, ``zh-hant``, ``zh`` (RFC 4647 lookup truncation)."""
    subtags = tag.split("-")
    for end in range(len(subtags), 0, -1):
        candidate = "-".join(subtags[:end])
        yield candidate
        if candidate in _SCRIPT_ALIASES:
            yield _SCRIPT_ALIASES[candidate]


def _language_ranges(header: str) -> tuple[list[str], set[str]]:
    """Acceptable ranges, best first (ties keep header order), and the ranges refused by q=0."""
    weighted: list[tuple[float, int, str]] = []
    refused: set[str] = set()
    for position, item in enumerate(header.split(",")[:_MAX_RANGES]):
        raw_tag, *params = (part.strip() for part in item.split(";"))
        tag = _normalise(raw_tag)
        if not _LANGUAGE_RANGE.fullmatch(tag):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                quality = float(value) if _QVALUE.fullmatch(value) else -1.0
        if quality < 0:
            continue  # malformed q: ignore the whole entry
        if quality == 0:
            refused.add(tag)
        else:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)], refused


def _match(tag: str, by_normalised: dict[str, str], refused: set[str]) -> str | None:
    if tag == "*":
        return None  # "anything" says nothing about which language: let the default apply
    for candidate in _fallbacks(tag):
        if candidate in refused:
            return None
        if candidate in by_normalised:
            return by_normalised[candidate]
    return None


def parse_accept_language(header: str, supported: Iterable[str]) -> str | None:
    """The supported locale the ``Accept-Language`` header prefers most, or None.

    Ranges are tried by descending q (ties in header order); each is matched case-insensitively
    against ``supported``, dropping subtags from the right (``vi-VN`` → ``vi``). ``*``, q=0 and
    malformed entries never select a locale. Returns the spelling used in ``supported``.
    """
    by_normalised = {_normalise(locale): locale for locale in supported}
    ranges, refused = _language_ranges(header)
    for tag in ranges:
        if (locale := _match(tag, by_normalised, refused)) is not None:
            return locale
    return None


def pick_locale(
    *, cookie: str | None, accept_language: str | None, supported: Iterable[str], default: str
) -> str:
    """Cookie (the user's explicit choice) if supported, else the header, else ``default``."""
    supported = list(supported)
    if cookie and _LANGUAGE_RANGE.fullmatch(tag := _normalise(cookie)):
        by_normalised = {_normalise(locale): locale for locale in supported}
        if (locale := _match(tag, by_normalised, set())) is not None:
            return locale
    if accept_language and (locale := parse_accept_language(accept_language, supported)):
        return locale
    return default


class LanguageMiddleware:
    """Pure ASGI: choose the admin language for each request and ``set_locale`` it.

    ``supported`` defaults to every locale starlette-admin has a catalogue for (read per
    request, so it includes "vi"). Responses get ``Vary: Accept-Language, Cookie`` because
    the same URL now renders differently per language.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_locale: str = DEFAULT_LOCALE,
        supported: Iterable[str] | None = None,
        cookie_name: str | None = LANGUAGE_COOKIE,
    ) -> None:
        install_vietnamese()
        self.app = app
        self.default_locale = default_locale
        self.supported = list(supported) if supported is not None else None
        self.cookie_name = cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        locale = pick_locale(
            cookie=conn.cookies.get(self.cookie_name) if self.cookie_name else None,
            accept_language=conn.headers.get("accept-language"),
            supported=self.supported if self.supported is not None else sa_i18n.translations,
            default=self.default_locale,
        )
        sa_i18n.set_locale(locale)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Accept-Language")
                headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, send_with_vary)


install_vietnamese()
