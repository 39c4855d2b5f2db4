"""Children that end with the process that started them, even when it is SIGKILLed."""

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> None:
    """For `subprocess.Popen(preexec_fn=...)`: SIGTERM this child when its parent dies.

    For programs that cannot watch their parent themselves (the Mosquitto broker);
    our own server processes also watch theirs (see `core.portals.server`). Linux only:
    elsewhere it does nothing. The kernel ties this to the thread that spawned the
    child, so spawn from a thread that lives as long as the child should.
    """
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
