"""The "replica" node kind and `testbed replica`, registered by the plugin."""

import subprocess
import sys
from pathlib import Path

import tomli_w

from core import registry
from core.config import NodeConfig
from core.ports import free_ports
from core.topology import Launch, Probe, Readiness
from plugins.pysyncobj_raft_partitioned.replica.options import STRATEGY
from tests.plugins.pysyncobj_raft_partitioned.replica.support import until


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


def one_replica_file(path: Path, data_dir: Path) -> Path:
    grpc_port, raft_port = free_ports(2)
    node = {
        "name": "r1", "kind": "replica", "address": f"127.0.0.1:{grpc_port}", "partition": 0,
        "raft_address": f"127.0.0.1:{raft_port}", "data_dir": str(data_dir),
    }  # fmt: skip
    options = {"partitions": 1, "replicas": 1}
    path.write_text(
        tomli_w.dumps({"strategy": {"name": STRATEGY, "options": options}, "nodes": [node]})
    )
    return path


def test_a_second_replica_on_a_data_dir_in_use_is_refused(tmp_path: Path) -> None:
    # Two processes writing one Raft journal and one store would corrupt both; the
    # second file differs only in its ports, so nothing else stops it.
    data = tmp_path / "data"
    ready = tmp_path / "first.ready.json"
    command = [sys.executable, "-m", "core.cli.main", "replica", "--name", "r1", "--config"]
    first_file, second_file = (one_replica_file(tmp_path / f, data) for f in ("a.toml", "b.toml"))
    first = subprocess.Popen(
        [*command, str(first_file), "--ready-file", str(ready)], stderr=subprocess.DEVNULL
    )
    try:
        until(ready.exists, "the first replica's ready file")
        second = subprocess.run(
            [*command, str(second_file)], capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 1
        assert second.stderr.startswith(
            f"testbed replica: data_dir {str(data)!r} is in use by another process"
        ), second.stderr
    finally:
        first.terminate()
        assert first.wait(30) == 0
