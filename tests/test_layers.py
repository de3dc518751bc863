"""The layers point one way: kit → models → ai, retrieval, the job runner → the container →
the domains' services → their endpoints, pages and tasks → jobs/modules.py → app, worker, CLI.

An AST walk of src/learningos (every import: module level, function-local and under
TYPE_CHECKING; relative imports resolved) that fails when
- kit/ imports anything of the project but kit/ and config.py (a domain, models/, the
  container services.py, web/, jobs/);
- two modules of different domain packages import each other, or the service modules of
  two domains (all but pages, endpoints and tasks) import each other's package;
- the container imports more than kit/, config.py, the job queue and the AI and retrieval
  it builds (a domain's tasks, services or pages);
- a tasks module is missing from jobs/modules.py TASK_MODULES, or a module outside it
  registers jobs.
The checker is tried on a small synthetic tree first, so a broken walk cannot pass quietly.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from learningos.jobs.modules import TASK_MODULES

SRC = Path(__file__).resolve().parents[1] / "src" / "learningos"
KIT_MAY_IMPORT = ("learningos.kit", "learningos.config")
CONTAINER = "learningos.services"
CONTAINER_MAY_IMPORT = (
    "learningos.config",
    "learningos.kit",
    "learningos.jobs.queue",
    "learningos.ai",
    "learningos.retrieval",
)
NOT_DOMAINS = ("kit", "models", "migrations")  # kit has its own rule; tables and migrations
ABOVE_SERVICES = ("pages", "endpoints", "tasks")  # a domain's modules that sit on the others
WIRING = ("learningos.jobs.modules",)  # the task modules and timers: above every domain


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (a name imported from a package counts as its module)
    line: int
    names: tuple[str, ...] = ()


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(root: Path) -> list[Import]:
    """Every import of the package at `root` (its folder) of one of its own modules."""
    files = sorted(root.rglob("*.py"))
    modules = {module_name(root, f) for f in files}
    found: list[Import] = []
    for path in files:
        source = module_name(root, path)
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append(Import(source, alias.name, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                names = tuple(alias.name for alias in node.names)
                submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules]
                for sub in submodules:
                    found.append(Import(source, sub, node.lineno))
                if len(submodules) < len(names):
                    found.append(Import(source, target, node.lineno, names))
    return [i for i in found if _within(i.target, (root.name,))]


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _domain(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) < 3 or parts[1] in NOT_DOMAINS:  # a top-level module: not a domain
        return None
    return parts[1]


def _service_layer(name: str) -> bool:
    return name.rpartition(".")[2] not in ABOVE_SERVICES and name not in WIRING


def violations(root: Path, task_modules: tuple[str, ...]) -> list[str]:
    """What breaks the layers in the `learningos` package at `root` (the real one or a copy)."""
    found = imports_of(root)
    problems: list[str] = []
    for i in found:
        if _within(i.source, ("learningos.kit",)) and not _within(i.target, KIT_MAY_IMPORT):
            problems.append(f"kit imports upward: {i.source} imports {i.target} (line {i.line})")
        if i.source == CONTAINER and not _within(i.target, CONTAINER_MAY_IMPORT):
            problems.append(
                f"the container imports a domain: {i.source} imports {i.target} (line {i.line})"
            )
    edges = {(i.source, i.target) for i in found}
    for source, target in sorted(edges):
        a, b = _domain(source), _domain(target)
        if a and b and a != b and source < target and (target, source) in edges:
            problems.append(f"domains import each other: {source} <-> {target}")
    # Between two domains' services (below their pages, endpoints and tasks) imports go one
    # way, even when no single pair of modules closes the circle.
    between: dict[tuple[str, str], list[str]] = {}
    for source, target in sorted(edges):
        a, b = _domain(source), _domain(target)
        if a and b and a != b and _service_layer(source):
            between.setdefault((a, b), []).append(f"{source} -> {target}")
    for (a, b), these in sorted(between.items()):
        if a < b and (b, a) in between:
            both = ", ".join([*these, *between[(b, a)]])
            problems.append(f"the services of {a} and {b} import each other: {both}")
    tasks = {module_name(root, p) for p in root.rglob("tasks.py")}
    registering = {
        i.source for i in found if i.target == "learningos.jobs.registry" and "job" in i.names
    }
    for name in sorted((tasks | registering) - set(task_modules)):
        problems.append(f"{name} registers jobs but is not in jobs/modules.py TASK_MODULES")
    for name in sorted(set(task_modules) - tasks):
        problems.append(f"TASK_MODULES names {name}, which is not a tasks.py module")
    return problems


def test_the_project_layers_point_one_way() -> None:
    assert violations(SRC, TASK_MODULES) == []


def test_the_walk_sees_the_project() -> None:
    """The walk reads the real tree: it finds imports known to exist, of every kind."""
    found = {(i.source, i.target) for i in imports_of(SRC)}
    assert ("learningos.services", "learningos.jobs.queue") in found  # module level
    assert ("learningos.jobs.modules", "learningos.content.cleanup") in found  # function-local
    assert ("learningos.jobs.registry", "learningos.services") in found  # TYPE_CHECKING
    assert ("learningos.app", "learningos.web.pages") in found  # `from pkg import module`
    assert len(found) > 500


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "learningos"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    return root


CLEAN = {
    "config.py": "",
    "services.py": "from learningos.kit import db\nfrom learningos.jobs.queue import Queue\n",
    "kit/db.py": "from learningos.config import Settings\nfrom . import errors\n",
    "kit/errors.py": "",
    "jobs/queue.py": "",
    "jobs/registry.py": "",
    "jobs/modules.py": "",
    "notes/service.py": "from learningos.kit.db import x\nfrom learningos.learning import maps\n",
    "learning/maps.py": "from learningos.kit import errors\n",
    "learning/tasks.py": "from learningos.jobs.registry import JobContext, job\n",
}


def test_a_clean_synthetic_tree_passes(tmp_path: Path) -> None:
    assert violations(_tree(tmp_path, CLEAN), ("learningos.learning.tasks",)) == []


def test_each_kind_of_violation_is_found(tmp_path: Path) -> None:
    files = {
        **CLEAN,
        # a function-local, relative import of the container from kit
        "kit/deps.py": "def get():\n    from ..services import Services\n    return Services\n",
        # kit importing a model and web under TYPE_CHECKING
        "kit/handlers.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from learningos.models.jobs import Job\n    import learningos.web.render\n"
        ),
        # two domains' modules importing each other (one relative, one function-local)
        "learning/maps.py": "from ..notes import service\n",
        # two domains' services importing each other through different modules
        "review/service.py": "from learningos.progress.repository import ProgressRepository\n",
        "progress/service.py": "def f():\n    from learningos.review import scheduler\n",
        "progress/repository.py": "",
        "review/scheduler.py": "",
        # ... which their pages may do
        "progress/pages.py": "from learningos.notes.service import x\n",
        # the container importing a domain's tasks
        "services.py": "def load():\n    import learningos.learning.tasks\n",
        # a tasks module nobody lists
        "account/tasks.py": "from learningos.jobs.registry import job\n",
    }
    problems = violations(_tree(tmp_path, files), ("learningos.learning.tasks",))
    assert problems == [
        "kit imports upward: learningos.kit.deps imports learningos.services (line 2)",
        "kit imports upward: learningos.kit.handlers imports learningos.models.jobs (line 3)",
        "kit imports upward: learningos.kit.handlers imports learningos.web.render (line 4)",
        "the container imports a domain: learningos.services imports learningos.learning.tasks"
        " (line 2)",
        "domains import each other: learningos.learning.maps <-> learningos.notes.service",
        "the services of learning and notes import each other: learningos.learning.maps ->"
        " learningos.notes.service, learningos.notes.service -> learningos.learning.maps",
        "the services of progress and review import each other: learningos.progress.service ->"
        " learningos.review.scheduler, learningos.review.service -> learningos.progress.repository",
        "learningos.account.tasks registers jobs but is not in jobs/modules.py TASK_MODULES",
    ]


def test_a_listed_module_that_does_not_exist_is_found(tmp_path: Path) -> None:
    names = ("learningos.learning.tasks", "learningos.gone.tasks")
    assert violations(_tree(tmp_path, CLEAN), names) == [
        "TASK_MODULES names learningos.gone.tasks, which is not a tasks.py module"
    ]
