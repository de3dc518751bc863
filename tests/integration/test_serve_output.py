"""What a person sees when `learningos serve` starts: readable log lines on a terminal, JSON
otherwise, and a short banner at the end of start-up (URL, demo sign-in, data folder, stop)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.browser.live import free_port

CLI = [sys.executable, "-m", "learningos.cli"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNINGOS_")}
    env.update(
        {
            "LEARNINGOS_DATA_DIR": str(tmp_path),
            "LEARNINGOS_LOG_LEVEL": "INFO",
            "LEARNINGOS_DEMO_SEED": "false",
            **extra,
        }
    )
    return env


def _read_until(read, marker: str, timeout: float = 90.0) -> str:  # type: ignore[no-untyped-def]
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        chunk = read()
        if chunk is None:
            break
        seen += chunk
    return seen


def _serve(tmp_path: Path, port: int, **io):  # type: ignore[no-untyped-def]
    return subprocess.Popen(
        [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(tmp_path),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        **io,
    )


def test_on_a_terminal_the_logs_are_readable_and_a_banner_ends_start_up(tmp_path):
    port = free_port()
    leader, follower = pty.openpty()
    process = _serve(tmp_path, port, stdout=follower, stderr=follower)
    os.close(follower)

    def read() -> str | None:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if not ready:
            return "" if process.poll() is None else None
        try:
            return os.read(leader, 65536).decode("utf-8", "replace")
        except OSError:
            return None

    try:
        output = _read_until(read, "Stop with Ctrl+C")
    finally:
        process.terminate()
        process.wait(timeout=120)  # shutdown waits for the embedding model to finish loading
        os.close(leader)
    assert f"Learning OS is ready: http://localhost:{port}" in output, output
    assert f"Data folder:   {tmp_path.resolve()}" in output
    assert "Demo sign-in" not in output  # LEARNINGOS_DEMO_SEED=false
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    assert lines and not any(line.startswith("{") for line in lines), output
    # The banner comes after uvicorn's start-up lines: it is the last thing printed.
    assert lines[-2] == "Stop with Ctrl+C." and set(lines[-1]) == {"-"}


def test_into_a_file_the_logs_are_json(tmp_path):
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = _serve(tmp_path, port, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while "Stop with Ctrl+C" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=120)  # shutdown waits for the embedding model to finish loading
    text = log_path.read_text()
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert records, text
    assert all("event" in record and "level" in record for record in records)
