"""The layout's one rule of direction: core never imports the load tests."""

import ast
from pathlib import Path

import core

ROOT = Path(next(iter(core.__path__)))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.add(node.module)
    return names


def test_no_module_of_core_imports_loadtests() -> None:
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 20, "the walk found core's modules"
    upward = {
        str(path.relative_to(ROOT)): sorted(
            n for n in imported(path) if n.split(".")[0] == "loadtests"
        )
        for path in modules
    }
    assert {path: names for path, names in upward.items() if names} == {}


def test_the_walk_sees_an_import_of_loadtests(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom loadtests.compare import plan\n")
    assert "loadtests.compare" in imported(module)
