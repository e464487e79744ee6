"""``criteria`` depends on nothing in ``oximetry``: the arrow between the packages points one way."""

from __future__ import annotations

import ast
from pathlib import Path

import criteria

ROOT = Path(criteria.__file__).resolve().parent


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_no_module_under_criteria_imports_oximetry() -> None:
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 10  # the walk found the package
    offenders = {
        str(p.relative_to(ROOT)): n
        for p in modules
        for n in _imports(p)
        if n == "oximetry" or n.startswith("oximetry.")
    }
    assert offenders == {}


def test_the_check_sees_a_planted_import(tmp_path: Path) -> None:
    p = tmp_path / "m.py"
    p.write_text("def f():\n    from oximetry.errors import ContextError\n", encoding="utf-8")
    assert "oximetry.errors" in _imports(p)
