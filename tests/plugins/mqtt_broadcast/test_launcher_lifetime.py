"""The broker the launcher starts does not outlive it, even when it is SIGKILLed."""

import json
import subprocess
import sys
import time
from pathlib import Path


def _running(pattern: str) -> bool:
    return subprocess.run(["pgrep", "-f", pattern], capture_output=True).returncode == 0


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
        broker = json.loads(ready.read_text())["broker"]
        assert broker is not None
        config_file = (
            workdir / {"mosquitto": "mosquitto.conf", "amqtt": "amqtt.yaml"}[broker["kind"]]
        )
        assert _running(str(config_file))
        launcher.kill()
    finally:
        if launcher.poll() is None:  # a failed check must not leave a cluster running
            launcher.terminate()
        launcher.wait()
    deadline = time.monotonic() + 10
    while _running(str(config_file)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(str(config_file)), f"the {broker['kind']} broker outlived the launcher"
