"""Application settings: one object, read from the environment, failing fast on bad values."""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo.errors import ConfigurationError, InvalidURI
from pymongo.uri_parser import parse_uri

# The shipped placeholder; accepted only in development, so a forgotten secret never
# reaches production.
DEFAULT_SECRET_KEY = "development-only-secret-key-change-me"


class SettingsError(ValueError):
    """Raised when the environment describes an unusable configuration."""


class Settings(BaseSettings):
    """Runtime configuration. Environment variables use the field names in upper case."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    env: Literal["development", "test", "production"] = "production"
    secret_key: str = DEFAULT_SECRET_KEY
    # Unset means "use the embedded server" (development and tests only).
    mongodb_uri: str | None = None
    mongodb_db: str = "hocba"
    mongodb_timeout_ms: int = Field(default=5000, ge=100)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    embedded_data_dir: Path = Path(".data/mongo")
    embedded_port: int = Field(default=0, ge=0, le=65535)
    # The app process runs the change-log worker itself unless told not to (then run
    # `hocba changelog-worker` separately); with several app processes one holds the lease.
    # Unset: on, except under ENV=test (tests start their own workers).
    changelog_worker_in_app: bool | None = None
    school_name: str = "Trường PTDTNT THCS (trường mẫu)"
    # The local master key of the encrypted fields (base64 of 96 bytes; `hocba field-key` makes
    # one), or a file holding it. Outside production a key file under the data directory is
    # created on first use.
    field_key: str | None = None
    field_key_file: Path | None = None
    # The largest request body accepted (forms, JSON, uploads); larger ones answer 413.
    max_request_bytes: int = Field(default=5 * 1024 * 1024, ge=64 * 1024)

    # Sign-in and passwords (regulation Art. 7.4); see app/auth/config.py.
    password_expiry_days: int = Field(default=90, ge=1)
    password_warning_days: int = Field(default=14, ge=0)
    password_history_size: int = Field(default=5, ge=1, le=24)
    session_idle_minutes: int = Field(default=60, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    login_account_lock_failures: int = Field(default=5, ge=1)
    login_address_lock_failures: int = Field(default=20, ge=1)
    login_lock_minutes: int = Field(default=15, ge=1)
    login_delay_after_failures: int = Field(default=3, ge=1)
    login_delay_base_seconds: float = Field(default=0.5, ge=0)
    login_delay_cap_seconds: float = Field(default=8.0, ge=0)
    login_home_path: str = Field(default="/account", pattern=r"^/([^/\\].*)?$")

    # Backups (regulation Art. 5.2, 8.3, 12.2); see app/backup/. The key is 32 random bytes in
    # base64 (`hocba backup keygen`), never the SECRET_KEY; BACKUP_KEY wins over the file.
    backup_key: str | None = None
    backup_key_file: Path | None = None
    backup_dir: Path = Path(".data/backups")
    backup_keep_daily: int = Field(default=7, ge=1)
    backup_keep_weekly: int = Field(default=5, ge=1)
    # Vietnam time of the daily backup; the weekly one (and the check of the newest backup)
    # runs on BACKUP_WEEKLY_DAY (0 = Monday … 6 = Sunday).
    backup_daily_at: str = Field(default="01:30", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    backup_weekly_day: int = Field(default=6, ge=0, le=6)

    @field_validator("mongodb_uri")
    @classmethod
    def _check_uri(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            parse_uri(value)
        except (InvalidURI, ConfigurationError, ValueError) as exc:
            raise ValueError(
                f"MONGODB_URI is not a valid MongoDB connection string: {exc}"
            ) from exc
        return value

    @model_validator(mode="after")
    def _check_production(self) -> Settings:
        if self.env != "development":
            if self.secret_key == DEFAULT_SECRET_KEY:
                raise ValueError(
                    "SECRET_KEY must be set to a private random value outside ENV=development"
                )
            if len(self.secret_key) < 32:
                raise ValueError("SECRET_KEY must be at least 32 characters long")
        if self.env == "production" and self.mongodb_uri is None:
            raise ValueError("MONGODB_URI is required when ENV=production")
        return self

    def field_master_key(self) -> bytes | None:
        """The master key of the encrypted fields (never stored in the database); None in
        production when none is configured (the web app then refuses to start; tools that
        only copy data, such as backups, need none)."""
        if self.field_key:
            return base64.b64decode(self.field_key)
        if self.env == "production" and self.field_key_file is None:
            return None
        path = self.field_key_file or self.embedded_data_dir.parent / "field-master.key"
        if not path.exists() and self.field_key_file is None:
            # Development and tests only (production requires a key): made once, kept.
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_once(path, new_field_key())
        return base64.b64decode(path.read_bytes().strip())

    @property
    def runs_changelog_worker(self) -> bool:
        if self.changelog_worker_in_app is None:
            return self.env != "test"
        return self.changelog_worker_in_app

    @property
    def uses_embedded_db(self) -> bool:
        return self.mongodb_uri is None


def _create_once(path: Path, text: str) -> None:
    """Create a private file unless it exists, whole: it is written aside and linked into
    place, so of processes starting together (the app, a command, parallel tests) one wins,
    and none reads it half written."""
    aside = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    with os.fdopen(os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write(text)
    try:
        os.link(aside, path)
    except FileExistsError:
        pass  # another process made it first: its key is the one
    finally:
        aside.unlink()


def new_field_key() -> str:
    """A fresh master key for the encrypted fields: base64 of 96 random bytes."""
    return base64.b64encode(secrets.token_bytes(96)).decode("ascii")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests clear the cache or pass their own object."""
    return Settings()
