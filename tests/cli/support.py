"""Running the `testbed` command as a user does: a subprocess, and `cluster up` until stopped."""

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

READY_TIMEOUT_S = 60.0


def cli(*args: str, stdin: str = "", timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli.main", *args],
        input=stdin, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


@contextmanager
def cluster_up(
    tmp_path: Path, *args: str
) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """`testbed cluster up ARGS` in a subprocess; stopped afterwards if a test left it running."""
    ready = tmp_path / "ready.json"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "core.cli.main", "cluster", "up", *args, "--ready-file", str(ready)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not ready.exists():
            if launcher.poll() is not None:
                raise AssertionError(f"cluster up ended: {launcher.communicate()}")
            assert time.monotonic() < deadline, "cluster up was not ready in time"
            time.sleep(0.05)
        yield launcher, json.loads(ready.read_text())
    finally:
        if launcher.poll() is None:
            launcher.terminate()
        launcher.communicate()
