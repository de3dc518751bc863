"""The real app in a subprocess, for the browser tests and the page-speed benchmark.

`LiveServer` runs `learningos serve` on a free loopback port with a fresh data folder and no
`LEARNINGOS_*` variable from the caller's environment, so it is always the embedded mode
(SQLite, in-process queue, memory cache, local Qdrant folder, offline AI engine), without
the demo learner a first start would otherwise create.
The helpers below seed a learner through the JSON API (stdlib only, no test framework).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# One page of real English text (the Zen of Python and a small table): quick to process.
SAMPLE_PDF = ROOT / "tests" / "data" / "pdfs" / "011-google-doc-document_google-doc-document.pdf"
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def learningos_bin() -> Path:
    here = Path(sys.executable).parent / "learningos"
    return here if here.exists() else ROOT / ".venv" / "bin" / "learningos"


class LiveServer:
    """`learningos serve` in the background; `url` is its origin (http://127.0.0.1:PORT)."""

    def __init__(self, data_dir: Path, log_path: Path | None = None) -> None:
        self.data_dir = data_dir
        self.log_path = log_path or data_dir / "server.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNINGOS_")}
        # The server runs from the data folder: an absolute path to this checkout's code, so a
        # worktree's change is what the browser sees (not another installed copy).
        path = [str(ROOT / "src"), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
        env.update(
            {
                "PYTHONPATH": os.pathsep.join(path),
                "LEARNINGOS_ENV": "development",
                "LEARNINGOS_DATA_DIR": str(self.data_dir),
                "LEARNINGOS_BASE_URL": self.url,
                "LEARNINGOS_LOG_LEVEL": "WARNING",
                # No demo learner on first start: every test makes the learner it needs.
                "LEARNINGOS_DEMO_SEED": "false",
                # Several learners sign up and in from 127.0.0.1 within a minute.
                "LEARNINGOS_REGISTER_LIMIT_PER_IP": "1000/hour",
                "LEARNINGOS_LOGIN_LIMIT_PER_IP": "1000/minute",
                "LEARNINGOS_LOGIN_LIMIT_PER_EMAIL_IP": "100/minute",
            }
        )
        return env

    def start(self, timeout: float = 120.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 - the child process keeps it open
        self.process = subprocess.Popen(
            [str(learningos_bin()), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env(),
            cwd=self.data_dir,  # never read a developer's ./.env
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"learningos serve exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"learningos serve did not answer /health in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- seeding through the JSON API -------------------------------------------------------


def api(base: str, method: str, path: str, body: object = None, token: str | None = None) -> dict:
    headers = {"content-type": "application/json", "accept": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{method} {path}: {exc.code} {exc.read()[:500]!r}") from exc
    if not raw or raw.startswith(b"event:"):
        return {}
    return json.loads(raw)


def upload_file(base: str, token: str, path: Path, title: str) -> str:
    """POST /api/v1/content/upload (multipart) → the new item's id."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n{title}\r\n'.encode(),
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    request = urllib.request.Request(  # noqa: S310
        base + "/api/v1/content/upload",
        data=b"".join(parts),
        headers={
            "content-type": f"multipart/form-data; boundary={boundary}",
            "authorization": f"Bearer {token}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        body = json.loads(response.read())
    return str((body.get("content") or body)["id"])


def wait_processed(base: str, token: str, content_id: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = api(base, "GET", f"/api/v1/content/{content_id}/status", token=token)
        if status.get("status") == "ready":
            return status
        if status.get("status") == "error":
            raise RuntimeError(f"processing failed: {status}")
        time.sleep(0.25)
    raise RuntimeError(f"processing did not finish in {timeout:.0f} s")


@dataclass
class Learner:
    name: str
    email: str
    password: str
    token: str
    content_id: str
    content_title: str


def seed_learner(
    base: str,
    *,
    email: str | None = None,
    pdf: Path = SAMPLE_PDF,
    title: str = "The Zen of Python",
    activity: bool = True,
) -> Learner:
    """A learner with one processed PDF; with `activity`, one evaluated explanation and a note
    (so the progress, notes and learn pages show real data)."""
    email = email or f"learner-{secrets.token_hex(4)}@example.com"
    name = "Ada Learner"
    api(base, "POST", "/api/v1/auth/register", {"name": name, "email": email, "password": PASSWORD})
    token = api(base, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})[
        "access_token"
    ]
    content_id = upload_file(base, token, pdf, title)
    wait_processed(base, token, content_id)
    if activity:
        session = api(base, "POST", "/api/v1/session/start", {"content_id": content_id}, token)
        sid = session["id"]
        api(base, "POST", "/api/v1/session/interact", {"session_id": sid, "action": "start"}, token)
        view = api(
            base,
            "POST",
            "/api/v1/session/interact",
            {
                "session_id": sid,
                "action": "answer",
                "message": (
                    "The document lists guiding principles: beautiful, explicit and simple code "
                    "is better than ugly, implicit or complex code, readability counts, and "
                    "errors should never pass silently unless they are explicitly silenced."
                ),
            },
            token,
        )
        concept = (view.get("concept") or {}).get("id")
        if concept:
            api(
                base,
                "POST",
                "/api/v1/notes",
                {"concept_id": concept, "content": "Explicit beats implicit; readability counts."},
                token,
            )
    return Learner(name, email, PASSWORD, token, content_id, title)
