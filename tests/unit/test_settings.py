from __future__ import annotations

import pytest
from pydantic import ValidationError

from learningos.config import DEFAULT_JWT_SECRET, Settings

SECRET = "s" * 48


def test_embedded_defaults_need_no_configuration(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'learningos.db'}"
    assert settings.is_embedded
    assert settings.jwt_secret.get_secret_value() == DEFAULT_JWT_SECRET
    assert "jwt_secret" not in repr(settings) or DEFAULT_JWT_SECRET not in repr(settings)


def test_production_refuses_the_default_secret():
    with pytest.raises(
        ValidationError, match="LEARNINGOS_JWT_SECRET is still the development default"
    ):
        Settings(env="production")


def test_production_refuses_a_short_secret():
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(env="production", jwt_secret="short")


def test_several_workers_on_process_local_stores_are_refused():
    with pytest.raises(ValidationError) as info:
        Settings(web_workers=2)
    message = str(info.value)
    assert "Cannot run 2 web workers" in message
    assert "SQLite database" in message and "local Qdrant folder" in message


def test_several_workers_on_shared_stores_are_fine():
    settings = Settings(
        env="production",
        jwt_secret=SECRET,
        web_workers=4,
        database_url="postgresql+asyncpg://db/learningos",
        redis_url="redis://cache:6379/0",
        qdrant_url="http://qdrant:6333",
    )
    assert not settings.is_embedded and settings.secure_cookies


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("LEARNINGOS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LEARNINGOS_ACCESS_TOKEN_MINUTES", "10")
    monkeypatch.setenv("LEARNINGOS_CORS_ORIGINS", '["https://app.example.com"]')
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.access_token_minutes == 10
    assert settings.cors_origins == ["https://app.example.com"]


def test_env_example_is_a_valid_configuration():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / ".env.example"
    settings = Settings(_env_file=example)  # type: ignore[call-arg]
    assert settings.is_embedded and settings.access_token_minutes == 15
    documented = example.read_text()
    for name in Settings.model_fields:
        assert f"LEARNINGOS_{name.upper()}=" in documented, f"{name} is not in .env.example"
