from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "learningos.cli"]


def run(args: list[str], tmp_path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEARNINGOS_")}
    clean.update({"LEARNINGOS_DATA_DIR": str(tmp_path), "LEARNINGOS_LOG_LEVEL": "WARNING", **env})
    return subprocess.run(
        CLI + args, input=stdin, capture_output=True, text=True, env=clean, timeout=120
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["worker"],
        ["db"],
        ["db", "upgrade"],
        ["user"],
        ["user", "create"],
        ["eval", "examiner"],
        ["eval", "answers"],
        ["ledger", "check"],
        ["webhooks", "replay"],
    ],  # fmt: skip
)
def test_every_command_has_help(command, tmp_path):
    result = run([*command, "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_user_create_admin(tmp_path):
    result = run(
        [
            "user",
            "create",
            "--admin",
            "--email",
            "Root@Example.com",
            "--name",
            "Root",
            "--password-stdin",
        ],
        tmp_path,
        stdin="correct horse battery\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Created admin root@example.com" in result.stdout
    rows = (
        sqlite3.connect(tmp_path / "learningos.db")
        .execute("select email, role from users")
        .fetchall()
    )
    assert rows == [("root@example.com", "admin")]
    again = run(
        ["user", "create", "--email", "root@example.com", "--name", "Root", "--password-stdin"],
        tmp_path,
        stdin="correct horse battery\n",
    )
    assert again.returncode == 1 and "already exists" in again.stderr


def test_user_create_refuses_a_weak_password(tmp_path):
    result = run(
        ["user", "create", "--email", "a@example.com", "--name", "A", "--password-stdin"],
        tmp_path,
        stdin="weak\n",
    )
    assert result.returncode == 1 and "at least 10 characters" in result.stderr


def test_db_upgrade_is_idempotent(tmp_path):
    for _ in range(2):
        result = run(["db", "upgrade"], tmp_path)
        assert result.returncode == 0, result.stderr
    tables = {
        r[0]
        for r in sqlite3.connect(tmp_path / "learningos.db").execute(
            "select name from sqlite_master where type='table'"
        )
    }
    assert {
        "users",
        "contents",
        "content_access",
        "jobs",
        "refresh_tokens",
        "audit_events",
    } <= tables


def test_serve_refuses_several_workers_on_local_stores(tmp_path):
    result = run(["serve", "--workers", "3"], tmp_path)
    assert result.returncode == 2
    assert "Cannot run 3 web workers on process-local stores" in result.stderr


def test_serve_refuses_the_default_secret_in_production(tmp_path):
    result = run(["serve"], tmp_path, LEARNINGOS_ENV="production")
    assert result.returncode == 2
    assert "LEARNINGOS_JWT_SECRET" in result.stderr


def test_serve_refuses_production_without_a_qdrant_server(tmp_path):
    result = run(
        ["serve"],
        tmp_path,
        LEARNINGOS_ENV="production",
        LEARNINGOS_JWT_SECRET="Vq3-hX9_pL2mZr7tK4wYb8nC1sD6fGjA0eUoIiRQ",
        LEARNINGOS_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/none",
        LEARNINGOS_REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 2
    assert "process-local stores (local Qdrant folder)" in result.stderr
    assert not (tmp_path / "learningos.db").exists() and not (tmp_path / "qdrant").exists()


def test_worker_explains_it_needs_redis(tmp_path):
    result = run(["worker"], tmp_path)
    assert result.returncode == 2 and "LEARNINGOS_REDIS_URL" in result.stderr
