"""A strategy installed from outside, as a third-party distribution is: for the tests
that register strategies broken on purpose.

The launcher starts servers in other processes, so the module and its entry point go
in a directory on this process's path and on the children's PYTHONPATH.
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import registry


@contextlib.contextmanager
def installed(site: Path, module: str, source: str) -> Iterator[None]:
    """`source` as module `module` (with a `testbed` entry point) while the block runs."""
    (site / f"{module}.py").write_text(source)
    dist = site / f"{module}-1.0.dist-info"
    dist.mkdir()
    name = module.replace("_", "-")
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[testbed]\n{module} = {module}\n")
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(site))
        patch.setenv("PYTHONPATH", path)  # the servers the launcher spawns inherit it
        registry.plugin_manager.cache_clear()
        try:
            yield
        finally:
            registry.plugin_manager.cache_clear()
