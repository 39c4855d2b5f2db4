"""Children that end with the process that started them, even when it is SIGKILLed.

`spawn` starts every child of a cluster (servers, brokers) through this module's
`main`, which asks the kernel for a parent-death signal and then execs the real
command, so the signal covers programs that cannot watch their parent themselves
(Mosquitto). It is not done in `preexec_fn`: Python code between fork and exec in a
process that has gRPC's threads broke the child's gRPC ("epoll_wait error: Bad file
descriptor"), and subprocess avoids fork altogether without it.
"""

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> None:
    """SIGTERM this process when its parent dies. Linux only: elsewhere it does nothing.

    Our own servers also watch their parent (see `core.portals.server`), which covers
    other systems. A change of user cancels the signal (see the broker's config), and
    the kernel ties it to the thread that spawned the child, so spawn from a thread
    that lives as long as the child should (the launcher's own thread does).
    """
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    command: list[str], log: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a child of a cluster that writes to `log` and ends with this process."""
    shim = [sys.executable, "-m", "core.lifetime", str(os.getpid()), *command]
    with open(log, "ab") as output:
        return subprocess.Popen(
            shim,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=None if env is None else dict(env),
        )


def main(argv: list[str]) -> None:
    """`python -m core.lifetime PARENT_PID COMMAND...`: exec COMMAND, tied to PARENT_PID."""
    parent, command = int(argv[0]), argv[1:]
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the signal was armed
        sys.exit(0)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
