"""The broker the launcher starts does not outlive it, even when it is SIGKILLed."""

import json
import subprocess
import sys
import time
from pathlib import Path


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan waits for whoever adopted it to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_no_broker_outlives_a_killed_launcher(tmp_path: Path) -> None:
    ready, workdir = tmp_path / "ready.json", tmp_path / "cluster"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "core.cli.main", "cluster", "up", "--strategy", "mqtt-broadcast",
         "--servers", "2", "--ready-file", str(ready), "--workdir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert launcher.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        (broker,) = [n for n in json.loads(ready.read_text())["nodes"] if n["kind"] == "broker"]
        assert _running(broker["pid"])
        launcher.kill()
    finally:
        if launcher.poll() is None:  # a failed check must not leave a cluster running
            launcher.terminate()
        launcher.wait()
    deadline = time.monotonic() + 10
    while _running(broker["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(broker["pid"]), "the broker outlived the launcher"
