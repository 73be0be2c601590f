"""Every audit action code Herald's sources can write, read from the code itself (Python's own
parser): the action argument of each call that writes an audit event — ``audit.record``, and the
helpers that pass their ``action`` on to it. Conditional codes count both ways; a code built
with an f-string is expanded with the values its placeholder can take, listed here beside it."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "core" / "herald"
#: callable name → the position of its action argument (``audit.record`` and its wrappers)
WRITERS = {"audit.record": 2, "record_on_post": 3, "timeline.record": 4}
#: the modules where a bare ``record(...)`` is the timeline's (it passes ``action`` to the audit)
TIMELINE_MODULES = {"inbox/timeline.py"}
#: the modules of the wrappers, which pass their own ``action`` parameter on to ``audit.record``
WRAPPER_MODULES = {"approvals/engine.py", "inbox/timeline.py"}
#: the values an f-string's placeholder takes where an action code is built from it
PLACEHOLDERS = {
    "purpose": ("invitation", "reset"),  # auth.links: the link's purpose
    "asset.status": ("approved", "rejected"),  # library: the decision just taken
    # publishing.executor: the state a publication comes to rest in
    "state": ("published", "failed", "needs_attention", "cancelled", "deleted"),
}


@dataclass(frozen=True)
class Unresolved:
    where: str
    expression: str


def _callee(node: ast.Call, module: str) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        name = f"{func.value.id}.{func.attr}"
        return name if name in WRITERS else None
    if isinstance(func, ast.Name):
        if func.id == "record_on_post":
            return "record_on_post"
        if func.id == "record" and module in TIMELINE_MODULES:
            return "timeline.record"
    return None


def _codes(expr: ast.expr) -> list[str] | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.IfExp):
        body, orelse = _codes(expr.body), _codes(expr.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(expr, ast.JoinedStr):
        out = [""]
        for part in expr.values:
            if isinstance(part, ast.Constant):
                out = [o + str(part.value) for o in out]
            elif isinstance(part, ast.FormattedValue) and ast.unparse(part.value) in PLACEHOLDERS:
                out = [o + v for o in out for v in PLACEHOLDERS[ast.unparse(part.value)]]
            else:
                return None
        return out
    return None


def _scan(function: ast.FunctionDef | ast.AsyncFunctionDef, module: str, codes: set[str],
          unresolved: set[Unresolved]) -> None:
    """The codes written by the calls in ``function``; a local variable given as the code is
    read from its assignments in the same function."""
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned.setdefault(node.targets[0].id, []).append(node.value)
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node, module)
        if callee is None:
            continue
        position = WRITERS[callee]
        arg = node.args[position] if len(node.args) > position else next(
            (k.value for k in node.keywords if k.arg == "action"), None)
        found = _codes(arg) if arg is not None else None
        if found is None and isinstance(arg, ast.Name) and arg.id in assigned:
            parts = [_codes(value) for value in assigned[arg.id]]
            found = None if any(p is None for p in parts) else [c for p in parts for c in p or []]
        if found is not None:
            codes.update(found)
        elif not (isinstance(arg, ast.Name) and arg.id == "action" and module in WRAPPER_MODULES):
            unresolved.add(Unresolved(f"{module}:{node.lineno}", ast.unparse(arg) if arg else "?"))


def action_codes() -> tuple[set[str], set[Unresolved]]:
    """(every code found, the writes whose code could not be read)."""
    codes: set[str] = set()
    unresolved: set[Unresolved] = set()
    for path in sorted(SOURCES.rglob("*.py")):
        module = path.relative_to(SOURCES).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                _scan(function, module, codes, unresolved)
    return codes, unresolved
