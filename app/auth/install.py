"""Wire sign-in into the app: pages, static files, CSRF and the request-context middleware."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import Settings

from .account_routes import router as account_router
from .config import AuthConfig, configure
from .csrf import CSRFGuard, EnsureCSRFCookie
from .deps import LoginRequired, login_required_handler
from .login_routes import router as login_router
from .middleware import AuthContextMiddleware
from .templates import STATIC_DIR


def install_auth(app: FastAPI, settings: Settings) -> AuthConfig:
    """Add the login pages and middleware to ``app``; returns the configuration in force."""
    config = AuthConfig.from_settings(settings)
    configure(config)
    app.state.auth_config = config
    app.include_router(login_router)
    app.include_router(account_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(LoginRequired, login_required_handler)
    # Last added runs first: context (request id, user) -> CSRF cookie -> CSRF check -> app.
    app.add_middleware(CSRFGuard, secret_key=settings.secret_key)
    app.add_middleware(
        EnsureCSRFCookie, secret_key=settings.secret_key, secure=config.secure_cookies
    )
    app.add_middleware(AuthContextMiddleware)
    return config
