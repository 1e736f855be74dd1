"""The sign-in settings in one immutable object, built from :class:`app.config.Settings`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

    from app.config import Settings

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class AuthConfig:
    """Everything the login, session and password code needs to know about the deployment."""

    secret_key: str = ""
    secure_cookies: bool = True
    session_idle: timedelta = timedelta(minutes=60)
    session_absolute: timedelta = timedelta(hours=12)
    password_expiry_days: int = 90
    password_warning_days: int = 14
    password_history: int = 5
    account_lock_failures: int = 5
    address_lock_failures: int = 20
    lock_duration: timedelta = timedelta(minutes=15)
    delay_after_failures: int = 3
    delay_base_seconds: float = 0.5
    delay_cap_seconds: float = 8.0
    home_path: str = "/account"
    # Injectable so tests can record the delays instead of waiting.
    sleep: Sleep = field(default=asyncio.sleep, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        return cls(
            secret_key=settings.secret_key,
            secure_cookies=settings.env != "development",
            session_idle=timedelta(minutes=settings.session_idle_minutes),
            session_absolute=timedelta(hours=settings.session_absolute_hours),
            password_expiry_days=settings.password_expiry_days,
            password_warning_days=settings.password_warning_days,
            password_history=settings.password_history_size,
            account_lock_failures=settings.login_account_lock_failures,
            address_lock_failures=settings.login_address_lock_failures,
            lock_duration=timedelta(minutes=settings.login_lock_minutes),
            delay_after_failures=settings.login_delay_after_failures,
            delay_base_seconds=settings.login_delay_base_seconds,
            delay_cap_seconds=settings.login_delay_cap_seconds,
            home_path=settings.login_home_path,
        )


# Where a parent's account lives (the parents' pages); they reach nothing else of the site.
PARENT_HOME = "/phu-huynh"


def home_for(user: object, config: AuthConfig) -> str:
    """Where an account lands after signing in when no page was asked for."""
    return PARENT_HOME if getattr(user, "is_parent", False) else config.home_path


_active = AuthConfig()


def configure(config: AuthConfig) -> None:
    """Make ``config`` the one used by service calls that are not given one (set at startup)."""
    global _active
    _active = config


def active_config() -> AuthConfig:
    return _active


def config_for(request: HTTPConnection) -> AuthConfig:
    """The configuration of the app serving ``request`` (tests may swap it on app.state)."""
    config = getattr(request.app.state, "auth_config", None)
    return config if isinstance(config, AuthConfig) else _active
