"""The checkers share no code with the service they judge: nothing of `core` is imported."""

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import loadtests.checkers

PACKAGE = Path(loadtests.checkers.__file__).parent


def imported(tree: ast.Module) -> list[tuple[int, str]]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append((node.lineno, node.module))
    return names


def test_no_checker_module_names_core() -> None:
    offending = [
        f"{path.name}:{line} imports {name}"
        for path in sorted(PACKAGE.glob("*.py"))
        for line, name in imported(ast.parse(path.read_text(), str(path)))
        if name == "core" or name.startswith("core.")
    ]
    assert offending == []


def test_importing_every_checker_loads_nothing_of_core() -> None:
    modules = [f"loadtests.checkers.{m.name}" for m in pkgutil.iter_modules([str(PACKAGE)])]
    assert "loadtests.checkers.reading" in modules
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(done.stdout)
    assert [name for name in loaded if name == "core" or name.startswith("core.")] == []


def test_the_walk_sees_an_import_of_the_domain() -> None:
    tree = ast.parse("from core.domain.parsing import order_items\nimport core.domain\n")
    assert imported(tree) == [(1, "core.domain.parsing"), (2, "core.domain")]
