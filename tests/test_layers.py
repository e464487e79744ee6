"""The import graph of the tree, built with ast: the layers point one way.

``criteria`` imports nothing of ours; ``oximetry`` (the core) imports neither ``criteria`` nor
``oxi``; ``oxi`` (the app layer) may import both. Imports inside functions and under
``TYPE_CHECKING`` count like any other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("criteria", "oximetry", "oxi")
#: Which of our packages each package may import (besides itself).
ALLOWED = {"criteria": set(), "oximetry": set(), "oxi": {"criteria", "oximetry"}}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                found.add(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                found.add(node.module)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module name → the top-level packages of ours it imports (other than its own)."""
    graph = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            mine = pkg
            ours = {m.split(".")[0] for m in imported_modules(path)} & set(PACKAGES)
            graph[_module_name(path)] = ours - {mine}
    return graph


def violations(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Modules importing a package their layer may not import."""
    out = {}
    for module, targets in graph.items():
        bad = targets - ALLOWED[module.split(".")[0]]
        if bad:
            out[module] = bad
    return out


def test_the_layers_point_one_way() -> None:
    graph = import_graph()
    assert len([m for m in graph if m.startswith("oximetry.")]) > 20  # the walk found the tree
    assert len([m for m in graph if m.startswith("criteria.")]) > 10
    assert violations(graph) == {}


def test_the_app_layer_uses_both_libraries() -> None:
    # the arrows exist: the app layer is where the two packages meet
    graph = import_graph()
    assert {"criteria", "oximetry"} <= set().union(
        *(graph[m] for m in graph if m.startswith("oxi."))
    )


@pytest.mark.parametrize(
    ("where", "source", "bad"),
    [
        ("oximetry/metrics/x.py", "def f():\n    from criteria.evaluate import evaluate\n", "criteria"),
        ("oximetry/io/x.py", "from ..spans import find_runs\nimport numpy\n", None),
        ("oximetry/x.py", "import oxi.cli\n", "oxi"),
        ("criteria/rules/x.py", "from oximetry.errors import OximetryError\n", "oximetry"),
        ("criteria/x.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import oxi\n", "oxi"),
        ("oxi/batch/x.py", "from ..pipeline import AnalyzeRequest\nimport criteria\n", None),
    ],
)  # fmt: skip
def test_the_check_sees_a_planted_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, source: str, bad: str | None
) -> None:
    path = tmp_path / where
    path.parent.mkdir(parents=True)
    path.write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    graph = {_module_name(path): {m.split(".")[0] for m in imported_modules(path)}}
    graph = {k: (v & set(PACKAGES)) - {k.split(".")[0]} for k, v in graph.items()}
    assert violations(graph) == ({_module_name(path): {bad}} if bad else {})


def test_relative_imports_resolve_from_the_package() -> None:
    assert "oximetry.spans" in imported_modules(ROOT / "oximetry" / "metrics" / "window.py")
    assert "oxi.pipeline" in imported_modules(ROOT / "oxi" / "batch" / "worker.py")
