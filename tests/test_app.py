"""Settings fail fast; the health endpoint reports the database honestly."""

from __future__ import annotations

import base64
import socket

import pytest
from pydantic import ValidationError

from app.config import DEFAULT_SECRET_KEY, Settings
from app.main import create_app
from tests.auth.helpers import serving

GOOD_SECRET = "x" * 40


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(env="production", mongodb_uri="mongodb://127.0.0.1:27017/")


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(env="production", secret_key="short", mongodb_uri="mongodb://127.0.0.1/")


def test_production_requires_a_database_uri() -> None:
    with pytest.raises(ValidationError, match="MONGODB_URI is required"):
        Settings(env="production", secret_key=GOOD_SECRET)


def test_production_app_refuses_to_start_without_the_field_key() -> None:
    production = {
        "_env_file": None,
        "env": "production",
        "secret_key": GOOD_SECRET,
        "mongodb_uri": "mongodb://127.0.0.1:27017/",
    }
    with pytest.raises(RuntimeError, match="FIELD_KEY"):
        create_app(Settings(**production))
    key = base64.b64encode(bytes(96)).decode("ascii")
    assert create_app(Settings(**production, field_key=key)) is not None
    # Tools that only copy data (backups) need no field key.
    assert Settings(**production).field_master_key() is None


def test_development_accepts_the_default_secret_and_embedded_db() -> None:
    settings = Settings(env="development")
    assert settings.secret_key == DEFAULT_SECRET_KEY
    assert settings.uses_embedded_db


@pytest.mark.parametrize("uri", ["http://example", "mongodb://", "mongodb://host:notaport/"])
def test_invalid_uri_is_refused(uri: str) -> None:
    with pytest.raises(ValidationError, match="MONGODB_URI"):
        Settings(env="test", secret_key=GOOD_SECRET, mongodb_uri=uri)


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENV", "test")
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("MONGODB_URI", "mongodb://127.0.0.1:27017/?replicaSet=rs0")
    settings = Settings()
    assert settings.env == "test"
    assert settings.mongodb_uri is not None
    assert settings.mongodb_uri.endswith("rs0")


async def test_healthz_reports_replica_set(mongo_uri: str) -> None:
    settings = Settings(env="test", secret_key=GOOD_SECRET, mongodb_uri=mongo_uri)
    async with serving(create_app(settings)) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["database"]["replica_set"]


async def test_healthz_is_503_when_the_database_is_down() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(
        env="test",
        secret_key=GOOD_SECRET,
        mongodb_uri=f"mongodb://127.0.0.1:{port}/",
        mongodb_timeout_ms=300,
    )
    async with serving(create_app(settings)) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["reachable"] is False
