"""tox's inline plugin: the Python versions pyenv installed, offered to tox's discovery.

pyenv puts shims on PATH (`python3.12`, ...), but a shim runs only the versions pyenv
has made active (its `version` file, `.python-version`, `PYENV_VERSION`), so tox would
skip `py312-*` and `py313-*` as missing although pyenv holds them. This passes every
installed pyenv CPython to tox as `--discover` does (interpreters tried first, each only
for the envs whose version it is), so README's bare `tox` runs them too. A `--discover`
given on the command line wins; without pyenv nothing changes.
"""

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from tox.plugin import impl

if TYPE_CHECKING:
    from tox.config.sets import ConfigSet
    from tox.session.state import State

_RELEASE = re.compile(r"(\d+)\.(\d+)\.(\d+)")  # CPython releases; not pypy-*, miniconda-*, 3.13t


def pyenv_pythons(root: Path) -> list[str]:
    """`ROOT/versions/X.Y.Z/bin/pythonX.Y` of each installed CPython 3, newest first."""
    found = []
    for version in root.glob("versions/*"):
        match = _RELEASE.fullmatch(version.name)
        executable = version / "bin" / f"python{match[1]}.{match[2]}" if match else None
        if match and match[1] == "3" and executable and os.access(executable, os.X_OK):
            found.append((tuple(map(int, match.groups())), str(executable)))
    return [executable for _, executable in sorted(found, reverse=True)]


@impl
def tox_add_core_config(core_conf: "ConfigSet", state: "State") -> None:
    options = state.conf.options
    if not getattr(options, "discover", None):
        root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
        options.discover = pyenv_pythons(root)
