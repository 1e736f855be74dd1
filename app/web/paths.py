"""The site's static files: the panel's and the sign-in pages' styles, scripts, fonts and
images, and the API reference's assets. The same for every visitor and free of personal data,
so they need no session, carry no system notice and may be cached by the browser."""

from __future__ import annotations

STATIC_PREFIXES = ("/static/", "/admin/static/", "/api-docs/")


def is_static(path: str) -> bool:
    return path.startswith(STATIC_PREFIXES)
