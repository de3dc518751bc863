"""Peak memory of reading a PDF decompression bomb, in the process and through the bounded
child (content/pdf_process.py), and the child's cost on a real book.

    python benchmarks/pdf_memory.py [--expanded-mb 400] [--limit-mb 512] [--book PDF]

The bomb is a one-page PDF whose Flate content stream inflates to `--expanded-mb` MB (built
by tests/fakes/pdfbomb.py). Each case runs in a fresh Python process so that its peak RSS
(ru_maxrss) is its own: "in process" is the old path (`extract_pdf` in the worker), "bounded"
is the worker's peak and, separately, the child's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BOOK = ROOT.parent / "shared" / "eval" / "books" / "thinkstats2.pdf"

CASE = """
import json, resource, sys, time
from pathlib import Path
mode, path, limit = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
started = time.perf_counter()
outcome = "read"
try:
    if mode == "in_process":
        from learningos.content.pdf import extract_pdf
        extract_pdf(path, max_pages=100_000)
    else:
        from learningos.content.pdf_process import extract_pdf_bounded
        extract_pdf_bounded(path, max_pages=100_000, memory_mb=limit)
except Exception as exc:
    outcome = f"{type(exc).__name__}: {getattr(exc, 'code', exc)}"
print(json.dumps({
    "seconds": round(time.perf_counter() - started, 2),
    "outcome": outcome,
    "worker_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "child_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
}))
"""


def run_case(mode: str, path: Path, limit_mb: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CASE, mode, str(path), str(limit_mb)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {"case": mode, "file": path.name, **json.loads(done.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--expanded-mb", type=int, default=400)
    parser.add_argument("--limit-mb", type=int, default=512)
    parser.add_argument("--book", type=Path, default=DEFAULT_BOOK)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.fakes.pdfbomb import write_pdf_bomb

    with tempfile.TemporaryDirectory() as folder:
        bomb = write_pdf_bomb(Path(folder) / "bomb.pdf", args.expanded_mb)
        print(f"bomb: {bomb.stat().st_size // 1024} KB, inflates to {args.expanded_mb} MB")
        cases = [
            run_case("in_process", bomb, args.limit_mb),
            run_case("bounded", bomb, args.limit_mb),
        ]
        if args.book.exists():
            cases += [run_case(m, args.book, args.limit_mb) for m in ("in_process", "bounded")]
    for case in cases:
        print(json.dumps(case))


if __name__ == "__main__":
    main()
