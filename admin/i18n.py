"""The panel speaks Vietnamese only: the catalogue, the language of every request, the timezone.

starlette-admin 1.0.3 ships no Vietnamese locale; ``install_vietnamese`` registers ours. The panel
is used by the staff of Vietnamese schools, and a half-translated frame is worse than none, so
the language does not follow the browser: a PC set to English (``Accept-Language: en-US``) gets
the same Vietnamese panel. ``I18N_CONFIG`` names no language cookie, no language header and no
switcher, so starlette-admin's own ``LocaleMiddleware`` always applies the default, "vi";
``VietnameseMiddleware`` sets it again innermost (a safety net should the stock one change).

Wiring, in the app factory::

    admin = Admin(..., i18n_config=I18N_CONFIG, timezone_config=TIMEZONE_CONFIG,
                  middlewares=[Middleware(VietnameseMiddleware)])

The ``.po`` file is the only committed form of the catalogue: it is compiled in memory when
this module is imported (``install_vietnamese``), so there is no ``.mo`` to forget to rebuild.
"""

from __future__ import annotations

import threading
from io import BytesIO
from pathlib import Path

import starlette_admin.i18n as sa_i18n
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette_admin import I18nConfig, TimezoneConfig

VIETNAMESE = "vi"
DEFAULT_LOCALE = VIETNAMESE
DOMAIN = "admin"
PO_PATH = Path(__file__).parent / "translations" / VIETNAMESE / "LC_MESSAGES" / f"{DOMAIN}.po"

I18N_CONFIG = I18nConfig(
    default_locale=DEFAULT_LOCALE,
    # Neither a cookie nor the browser's header chooses another language, and no switcher.
    language_cookie_name=None,
    language_header_name=None,
    language_switcher=None,
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


class VietnameseMiddleware:
    """Pure ASGI: every request of the panel is rendered in Vietnamese, whatever the browser."""

    def __init__(self, app: ASGIApp) -> None:
        install_vietnamese()
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            sa_i18n.set_locale(VIETNAMESE)
        await self.app(scope, receive, send)


install_vietnamese()
