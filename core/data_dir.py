"""One process per data directory: a lock that the kernel drops with its holder.

Two nodes writing one Raft journal (or one LMDB store) would corrupt it, and nothing
else stops a second node whose cluster file gives it other ports but the same
`data_dir`. The lock is flock(2) on a file in the directory, so a node killed with
SIGKILL leaves nothing to clean up and restarts in place; the file holds the
holder's pid, for the refusal's sentence only.
"""

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Final

LOCK_FILE: Final = "lock"


class DataDirInUse(OSError):
    pass


class Held:
    """`data_dir` held by this process until `release` (or its exit); made with the
    directory if it is missing. DataDirInUse names the process that holds it."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        file = open(data_dir / LOCK_FILE, "a+")  # noqa: SIM115 -- held until release()
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip() or "?"
            file.close()
            raise DataDirInUse(
                f"data_dir {str(data_dir)!r} is in use by another process (pid {holder}); "
                "give each node a data_dir of its own"
            ) from None
        file.truncate(0)
        file.write(str(os.getpid()))
        file.flush()
        self._file = file

    def release(self) -> None:
        self._file.close()  # closing drops the lock; a second close does nothing

    def __enter__(self) -> "Held":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
