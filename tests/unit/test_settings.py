from __future__ import annotations

import pytest
from pydantic import ValidationError

from learningos.config import Settings
from learningos.kit.signing import load_or_create_secret

SECRET = "Vq3-hX9_pL2mZr7tK4wYb8nC1sD6fGjA0eUoIiRQ"


def test_embedded_defaults_need_no_configuration(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'learningos.db'}"
    assert settings.is_embedded
    assert settings.jwt_secret is None  # no published default: one is generated per install


def test_the_secret_is_generated_once_and_kept_private(tmp_path):
    first = load_or_create_secret(tmp_path)
    assert load_or_create_secret(tmp_path) == first
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret(tmp_path / "other") != first


def test_a_weak_kept_secret_is_refused(tmp_path):
    (tmp_path / "jwt-secret").write_text("a" * 40)
    with pytest.raises(ValueError, match="too predictable"):
        load_or_create_secret(tmp_path)


def test_production_requires_a_secret():
    with pytest.raises(ValidationError, match="LEARNINGOS_JWT_SECRET is required in production"):
        Settings(env="production")


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("short", "at least 32 characters"),
        ("a" * 32, "too predictable"),
        ("abcd" * 8, "too predictable"),
        ("0123456789" * 4, "repeated pattern"),
        ("dev-only-insecure-secret-change-me-0123456789", "published example"),
    ],
)
@pytest.mark.parametrize("env", ["development", "production"])
def test_weak_secrets_are_refused_in_every_mode(secret, reason, env):
    with pytest.raises(ValidationError, match=reason):
        Settings(env=env, jwt_secret=secret)


def test_a_random_secret_is_accepted():
    import secrets

    for _ in range(200):
        Settings(jwt_secret=secrets.token_hex(16))
        Settings(jwt_secret=secrets.token_urlsafe(32))


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


PG = "postgresql+asyncpg://db/learningos"


@pytest.mark.parametrize(
    ("stores", "named"),
    [
        ({"redis_url": "redis://cache:6379/0", "qdrant_url": "http://q:6333"}, "SQLite database"),
        ({"database_url": PG, "redis_url": "redis://cache:6379/0"}, "local Qdrant folder"),
        ({"database_url": PG, "qdrant_url": "http://q:6333"}, "in-memory queue, cache"),
    ],
)
def test_production_refuses_every_process_local_store(stores, named):
    with pytest.raises(ValidationError, match="Production mode cannot run on process-local") as e:
        Settings(env="production", jwt_secret=SECRET, **stores)
    assert named in str(e.value)


def test_production_refuses_the_demo_seed():
    shared = {"database_url": PG, "redis_url": "redis://c:6379/0", "qdrant_url": "http://q:6333"}
    with pytest.raises(ValidationError, match="LEARNINGOS_DEMO_SEED cannot be on in production"):
        Settings(env="production", jwt_secret=SECRET, demo_seed=True, **shared)
    assert not Settings(env="production", jwt_secret=SECRET, **shared).seeds_demo


def test_the_demo_seeds_only_in_the_full_embedded_configuration(tmp_path):
    assert Settings(data_dir=tmp_path).seeds_demo
    # PostgreSQL and Redis without a Qdrant URL is not "embedded", whatever is missing.
    mixed = Settings(data_dir=tmp_path, database_url=PG, redis_url="redis://cache:6379/0")
    assert mixed.process_local_stores == ["local Qdrant folder"]
    assert not mixed.is_embedded and not mixed.seeds_demo
    assert not Settings(data_dir=tmp_path, redis_url="redis://cache:6379/0").seeds_demo
    assert Settings(data_dir=tmp_path, database_url=PG, demo_seed=True).seeds_demo
