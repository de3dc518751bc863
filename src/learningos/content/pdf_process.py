"""PDF extraction in a child process whose memory is bounded.

A small PDF can hold Flate streams that inflate to hundreds of megabytes (a 300 KB file that
expands to 300 MB raises the extracting process's memory by about 600 MB: PDFium keeps the
whole decoded stream). So the worker never opens a PDF itself: `extract_pdf_bounded` runs
`extract_pdf` in a child Python process whose address space is capped (RLIMIT_AS) at what it
had after start-up plus `memory_mb`. Past the cap an allocation fails, PDFium aborts, and the
parent reports that the file expands beyond the limit; the worker itself never grows.

The child sends pickled messages on its stdout: ("page", done, total) after each page, then
("done", Document) or ("error", code, message). Killing the child (`stop`) ends the wait.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from learningos.content.document import Document, IngestError
from learningos.content.pdf import extract_pdf

# One child at a time per process, so that PDFs bound a worker's memory by one cap however
# many jobs it runs at once (PDFium in the worker was serialised the same way).
_ONE_CHILD = threading.Lock()
# How a child that ran out of its address space ends: PDFium aborts on a failed allocation
# (SIGABRT); Python code raises MemoryError, which the child reports as this exit status.
_OUT_OF_MEMORY_EXIT = 3
_MEMORY_SIGNALS = {-signal.SIGABRT, -signal.SIGTRAP, -signal.SIGILL, -signal.SIGBUS}


def too_large(memory_mb: int) -> IngestError:
    return IngestError(
        "too_large_expanded",
        f"This PDF expands to more than {memory_mb:,} MB when decompressed, more than one "
        "material may use. Save it again without embedded oversized content (for example "
        "with \u201cprint to PDF\u201d) or split it, and upload it again.",
    )


def extract_pdf_bounded(
    path: Path,
    *,
    max_pages: int,
    memory_mb: int,
    on_page: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
) -> Document:
    """`extract_pdf` in a child process capped at `memory_mb` MB beyond its start-up size.

    Blocking: run it in a worker thread. Raises IngestError as `extract_pdf` does, with code
    "too_large_expanded" when the file needs more memory than allowed, and "damaged" when the
    PDF library crashed on it. Setting `stop` kills the child and raises InterruptedError."""
    while not _ONE_CHILD.acquire(timeout=0.2):
        if stop is not None and stop.is_set():
            raise InterruptedError("the extraction was stopped before it began")
    try:
        return _run_child(path, max_pages, memory_mb, on_page, stop)
    finally:
        _ONE_CHILD.release()


def _run_child(
    path: Path,
    max_pages: int,
    memory_mb: int,
    on_page: Callable[[int, int], None] | None,
    stop: threading.Event | None,
) -> Document:
    command = [sys.executable, "-m", __name__, str(path), str(max_pages), str(memory_mb)]
    env = {**os.environ, "PYTHONPATH": _import_path()}
    child = subprocess.Popen(  # noqa: S603 - our own module, with arguments we built
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    killed = threading.Event()
    done = threading.Event()
    watcher = threading.Thread(
        target=_kill_on_stop, args=(child, stop, done, killed), name="pdf-child", daemon=True
    )
    watcher.start()
    try:
        result = _read_messages(child.stdout, on_page)
    except BaseException:
        child.kill()
        raise
    finally:
        child.stdout.close()
        code = child.wait()
        done.set()
        watcher.join()
    if isinstance(result, Document):
        return result
    if result is not None:
        raise result
    if killed.is_set():
        raise InterruptedError("the extraction was stopped")
    if code == _OUT_OF_MEMORY_EXIT or code in _MEMORY_SIGNALS:
        raise too_large(memory_mb)
    raise IngestError.of("damaged", "the PDF library stopped on it")


def _import_path() -> str:
    """This package's folder first, so the child imports the same code as its parent."""
    package_root = str(Path(__file__).resolve().parents[2])
    rest = os.environ.get("PYTHONPATH")
    return os.pathsep.join([package_root, rest]) if rest else package_root


def _kill_on_stop(
    child: subprocess.Popen[bytes],
    stop: threading.Event | None,
    done: threading.Event,
    killed: threading.Event,
) -> None:
    """Kill the child once `stop` is set (the job was cancelled) before it is done."""
    while not done.wait(0.2):
        if stop is not None and stop.is_set() and child.poll() is None:
            killed.set()
            child.kill()
            return


def _read_messages(
    stream: IO[bytes], on_page: Callable[[int, int], None] | None
) -> Document | IngestError | None:
    """The child's answer; None when it ended without one (it crashed or was killed)."""
    while True:
        try:
            message: tuple[Any, ...] = pickle.load(stream)  # noqa: S301 - our own child
        except (EOFError, pickle.UnpicklingError):
            return None
        if message[0] == "page":
            if on_page is not None:
                on_page(message[1], message[2])
        elif message[0] == "done":
            document: Document = message[1]
            return document
        elif message[0] == "error":
            return IngestError(message[1], message[2])


def _cap_address_space(memory_mb: int) -> None:
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = current + (memory_mb << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(path: str, max_pages: int, memory_mb: int) -> int:
    out = sys.stdout.buffer

    def send(*message: Any) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    _cap_address_space(memory_mb)
    try:
        document = extract_pdf(
            Path(path), max_pages=max_pages, on_page=lambda done, total: send("page", done, total)
        )
        send("done", document)
    except IngestError as exc:
        send("error", exc.code, exc.message)
    except MemoryError:
        return _OUT_OF_MEMORY_EXIT
    return 0


def render_cover_bounded(path: Path, *, memory_mb: int, timeout: float = 60.0) -> bytes | None:
    """The first page of the PDF rendered as a WebP thumbnail (`covers.render_first_page`),
    in a child process capped like the extraction; None when it cannot be rendered (a
    damaged page, out of memory, too slow). Blocking: run it in a worker thread. It never
    raises for a bad file: a cover is optional."""
    with _ONE_CHILD:
        command = [sys.executable, "-m", __name__, "--cover", str(path), str(memory_mb)]
        env = {**os.environ, "PYTHONPATH": _import_path()}
        try:
            done = subprocess.run(  # noqa: S603 - our own module, with arguments we built
                command, stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return None
    if done.returncode != 0 or not done.stdout:
        return None
    return done.stdout


def _cover_child(path: str, memory_mb: int) -> int:
    from learningos.content.covers import render_first_page

    _cap_address_space(memory_mb)
    try:
        data = render_first_page(Path(path))
    except Exception:  # noqa: BLE001 - any failure: no cover, reported by the exit status
        return 1
    if not data:
        return 1
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--cover":
        sys.exit(_cover_child(sys.argv[2], int(sys.argv[3])))
    sys.exit(_child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
