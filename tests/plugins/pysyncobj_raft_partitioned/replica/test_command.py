"""The "replica" node kind and `testbed replica`, registered by the plugin."""

import subprocess
import sys
from pathlib import Path

import tomli_w

from core import registry
from core.config import NodeConfig
from core.topology import Launch, Probe, Readiness


def test_the_replica_kind_is_registered_with_its_command_line(tmp_path: Path) -> None:
    kind = registry.node_kinds()["replica"]
    assert (kind.readiness, kind.probe, kind.stateful) == (
        Readiness.READY_FILE,
        Probe.CONTROL,
        True,
    )
    launch = Launch(tmp_path / "c.toml", tmp_path, tmp_path / "r.ready.json")
    command = kind.command(NodeConfig("r1", kind="replica"), launch)
    assert command[1:] == [
        "-m", "core.cli.main", "replica", "--config", str(tmp_path / "c.toml"),
        "--name", "r1", "--ready-file", str(tmp_path / "r.ready.json"),
    ]  # fmt: skip


def test_a_replica_without_its_partition_is_refused_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "cluster.toml"
    node = {"name": "r1", "kind": "replica", "raft_address": "127.0.0.1:7000", "data_dir": "d"}
    config.write_text(tomli_w.dumps({"nodes": [node]}))
    done = subprocess.run(
        [sys.executable, "-m", "core.cli.main", "replica", "--config", str(config), "--name", "r1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("testbed replica: replica 'r1' needs partition = N")
    assert len(done.stderr.strip().splitlines()) == 1
