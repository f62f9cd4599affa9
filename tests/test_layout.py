"""The layout of app/ where import-linter (pyproject.toml) cannot see: no import cycle even
through imports inside functions, modules of at most 300 lines, a short top level, and
rules that never read the request."""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
MAX_LINES = 300
MAX_TOP_LEVEL = 12
# request-bound objects: app/domain takes what it needs as arguments or from app.domain.access
REQUEST_BOUND = {"flask": {"request", "session", "g"}, "flask_login": {"current_user"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(APP.rglob("*.py"))}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the nodes inside `if TYPE_CHECKING:` blocks (never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for child in node.body for inner in ast.walk(child))
    return skipped


def imported(module: str, node: ast.Import | ast.ImportFrom, package: bool) -> Iterator[str]:
    """The modules of app/ an import statement names (a name from a package: its module)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = module.split(".") if package else module.split(".")[:-1]
        if node.level:
            base = base[:len(base) - node.level + 1]
        else:
            base = []
        prefix = ".".join([*base, *([node.module] if node.module else [])])
        names = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in MODULES else prefix
                 for alias in node.names]
    for name in names:
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name in MODULES and name != module:
            yield name


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of app/ it imports, at module level or inside a function."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_only(tree)
        graph[module] = {
            target for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped
            for target in imported(module, node, path.name == "__init__.py")}
    return graph


def test_the_graph_sees_imports_inside_functions():
    assert "app" in import_graph()["app.jobs.worker"]  # `from app import create_app`, lazily


def test_no_import_cycle():
    try:
        graphlib.TopologicalSorter(import_graph()).prepare()
    except graphlib.CycleError as error:
        pytest.fail("import cycle: " + " -> ".join(error.args[1]))


@pytest.mark.parametrize("path", MODULES.values(),
                         ids=[path.relative_to(APP).as_posix() for path in MODULES.values()])
def test_module_is_at_most_300_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"app/{path.relative_to(APP)}: {lines} lines; split it by meaning"


def test_the_top_level_is_short():
    top = sorted(p.name for p in APP.iterdir()
                 if p.suffix == ".py" and p.name != "__init__.py"
                 or p.is_dir() and (p / "__init__.py").exists())
    assert len(top) <= MAX_TOP_LEVEL, f"{len(top)} modules at the top of app/: {top}"


def test_the_domain_never_reads_the_request():
    found = []
    for module, path in MODULES.items():
        if not module.startswith("app.domain"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in REQUEST_BOUND:
                found += [f"{module}: from {node.module} import {a.name}" for a in node.names
                          if a.name in REQUEST_BOUND[node.module]]
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.attr in REQUEST_BOUND.get(node.value.id, ())):
                found.append(f"{module}: {node.value.id}.{node.attr}")
    assert not found, f"app/domain reads the request: {found}"
