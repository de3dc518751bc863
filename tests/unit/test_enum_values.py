"""Statuses, roles, modes and kinds are compared and set through their enums (models/), never as
bare strings: a walk over the source finds `x.status == "ready"`, `row["kind"] != "offer_skip"`,
`ls.status = "completed"` and the like."""

from __future__ import annotations

import ast
from pathlib import Path

import learningos
from learningos.models.learning import AdaptationKind

SRC = Path(learningos.__file__).parent
FIELDS = {"status", "role", "mode", "tier", "visibility", "access_type"}
# `kind` names many things (document, section, question kinds); only an adaptation's is checked.
KINDS = set(AdaptationKind)
# The offline engine's own labels and the migrations' frozen text are not the models' values.
SKIPPED = ("ai/offline/", "migrations/")


def _field(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        key = node.slice.value
        return key if isinstance(key, str) else None
    if isinstance(node, ast.Name):
        return node.id
    return None


def _bare(node: ast.expr, among: set[str] | None = None) -> bool:
    """A string literal (one of `among` when given), or a collection holding one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and (among is None or node.value in among)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_bare(e, among) for e in node.elts)
    return False


def _flagged(left: ast.expr, right: ast.expr, compare: bool) -> bool:
    field = _field(left)
    if field == "kind":
        return _bare(right, KINDS)
    if field not in FIELDS or not _bare(right):
        return False
    return compare or not isinstance(left, ast.Name)  # a local `mode = "x"` may be a parameter


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        pairs: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(node, ast.Compare):
            pairs = [(node.left, right) for right in node.comparators]
        elif isinstance(node, ast.Assign):
            pairs = [(target, node.value) for target in node.targets]
        for left, right in pairs:
            if _flagged(left, right, isinstance(node, ast.Compare)):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_statuses_and_kinds_are_not_compared_or_set_as_bare_strings() -> None:
    found = [
        finding
        for path in sorted(SRC.rglob("*.py"))
        if not str(path.relative_to(SRC)).startswith(SKIPPED)
        for finding in _findings(path)
    ]
    assert found == [], "use the enum of models/ instead:\n" + "\n".join(found)
