"""The tree keeps the shape docs/architecture.md describes: every package and top-level
module has a line in its table, no module outside the migrations is over 500 lines, no
function over 60, and each package says in `__all__` or its docstring what it is for."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "brady"
DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def _modules() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def test_every_package_is_in_the_module_table() -> None:
    table = DOC.read_text()
    parts = [p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    parts += [p.name for p in SRC.glob("*.py") if p.name != "__init__.py"]
    missing = [p for p in parts if f"`{p}/`" not in table and f"`{p}`" not in table]
    assert not missing, f"add these to docs/architecture.md: {missing}"


def test_no_module_over_500_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > 500
    }
    assert not long, long


def test_no_function_over_60_lines() -> None:
    long = []
    for p in _modules():
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > 60:
                    long.append(f"{p.relative_to(SRC)}:{node.lineno} {node.name}")
    assert not long, long


def test_the_package_is_typed() -> None:
    assert (SRC / "py.typed").exists()


def test_packages_are_used_only_through_the_modules_they_name() -> None:
    """Each package's `__all__` names the modules other packages may import; an import of
    any other module of it from outside is reaching into its insides."""
    import importlib

    import grimp

    graph = grimp.build_graph("brady", cache_dir=None)
    packages = [p.name for p in SRC.iterdir() if (p / "__init__.py").exists()]
    public = {p: set(importlib.import_module(f"brady.{p}").__all__) for p in packages}
    reaching = []
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            parts = imported.split(".")
            if len(parts) < 3 or parts[1] not in public:
                continue
            if importer == f"brady.{parts[1]}" or importer.startswith(f"brady.{parts[1]}."):
                continue
            if parts[2] not in public[parts[1]]:
                reaching.append(f"{importer} -> {imported}")
    assert not reaching, reaching
