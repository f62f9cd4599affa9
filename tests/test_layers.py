"""The import contract of app/ (issue 13), read from the source: every import, also those
inside functions and under TYPE_CHECKING, so a rule cannot be dodged by importing late."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
# the tables sit below the domain, beside app.extensions: they may use its choice values
# (a leaf of plain constants) and the extensions, nothing else of the app but each other
TABLE_MODULES = ("app.models", "app.tables")
TABLES_MAY_IMPORT = ("app.tables", "app.domain.choices", "app.extensions")


def module_name(path: Path) -> str:
    """`app/tables/org.py` -> `app.tables.org`; a package by its own name."""
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The app modules a file imports, by absolute name (relative imports resolved)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            # `from app import models` imports the module app.models; `from app.x import f`, app.x
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in SOURCES else base
                      for a in node.names}
    return {n for n in found if n == "app" or n.startswith("app.")}


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    """Whether a module is one of the named ones or inside one of them."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


SOURCES = {module_name(path): path for path in sorted(APP.rglob("*.py"))}
TABLE_SOURCES = [name for name in SOURCES if within(name, TABLE_MODULES)]




@pytest.mark.parametrize("name", TABLE_SOURCES)
def test_the_tables_import_nothing_above_them(name: str):
    """app.models and app.tables are below app.domain: each other, the choices, extensions."""
    above = {n for n in imported(SOURCES[name])
             if not within(n, TABLES_MAY_IMPORT)}
    assert above == set(), f"{name} imports {sorted(above)}"


def test_the_rest_of_the_app_reads_the_tables_from_models():
    """app/models.py is the tables' one table of contents: nobody else imports app.tables."""
    readers = {name for name, path in SOURCES.items()
               if not within(name, TABLE_MODULES) and any(
                   within(n, ("app.tables",)) for n in imported(path))}
    assert readers == set()


def test_models_names_every_table_of_the_package():
    """Every mapped class and table of app/tables/ is in models' __all__ (none forgotten)."""
    from flask_appbuilder import Model

    from app import models as m

    exported = {getattr(m, name) for name in m.__all__}
    tables = {mp.class_ for mp in Model.registry.mappers
              if mp.class_.__module__.startswith("app.tables.")}
    association = {t for t in Model.metadata.tables.values()
                   if not any(t is mp.local_table for mp in Model.registry.mappers)
                   and not t.name.startswith("ab_")}
    assert tables <= exported
    assert association <= exported
