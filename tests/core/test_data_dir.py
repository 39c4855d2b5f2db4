"""A data directory held by one process at a time (core/data_dir.py)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.data_dir import LOCK_FILE, DataDirInUse, Held

HOLDER = """
import sys, time
from pathlib import Path
from core.data_dir import Held
held = Held(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(600)
"""


def test_a_held_directory_is_refused_until_released(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    first = Held(data)  # made when missing
    assert (data / LOCK_FILE).read_text() == str(os.getpid())
    with pytest.raises(DataDirInUse, match=rf"in use by another process \(pid {os.getpid()}\)"):
        Held(data)
    first.release()
    with Held(data):
        pass
    Held(data).release()


def test_a_holder_killed_with_sigkill_leaves_the_directory_free(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(DataDirInUse, match=rf"\(pid {holder.pid}\)"):
            Held(tmp_path)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
    deadline = time.monotonic() + 10
    while True:  # the kernel drops the lock with the process
        try:
            Held(tmp_path).release()
            break
        except DataDirInUse:
            assert time.monotonic() < deadline, "the lock outlived its process"
            time.sleep(0.05)
