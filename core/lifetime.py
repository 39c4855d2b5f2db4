"""Children that end with the process that started them, even when it is SIGKILLed."""

import ctypes
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> None:
    """For `subprocess.Popen(preexec_fn=...)`: SIGTERM this child when its parent dies.

    Our own server processes also watch their parent (see `core.portals.server`), which
    covers other systems; a broker cannot. Linux only: elsewhere it does nothing. The
    kernel ties this to the thread that spawned the child, so spawn from a thread that
    lives as long as the child should (the launcher's own thread does).
    """
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    command: list[str], log: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a child of a cluster (a server, a broker) that writes to `log` and ends with us."""
    with open(log, "ab") as output:
        return subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=None if env is None else dict(env),
            preexec_fn=die_with_parent,
        )
