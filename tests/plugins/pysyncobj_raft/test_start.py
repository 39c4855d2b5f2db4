"""A node whose Raft port or data directory is taken stops with a clear error instead of
serving nothing, or writing another node's journal."""

import socket
from pathlib import Path

import pytest

from core import registry
from core.config import ClusterConfig, NodeConfig
from core.data_dir import DataDirInUse, Held
from core.ports import free_ports
from core.strategy import NodeContext, StrategyDescriptor
from plugins.pysyncobj_raft.replicator import RaftReplicator
from tests.plugins.pysyncobj_raft.conftest import skip_unless_raft


def test_a_taken_raft_port_fails_the_start_naming_the_address(
    strategy: StrategyDescriptor, tmp_path: Path
) -> None:
    skip_unless_raft(strategy)  # it waits out PySyncObj's bind retries
    descriptor = registry.get("pysyncobj-raft")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        node = NodeConfig("s1", settings={"raft_address": address, "data_dir": str(tmp_path)})
        cluster = ClusterConfig(descriptor.name, nodes=(node,))
        replicator = RaftReplicator(NodeContext(node, cluster, descriptor.resolve({})))
        with pytest.raises(OSError, match=f"cannot listen for Raft on {address}"):
            replicator.start()


def test_a_data_dir_in_use_fails_the_start_and_frees_nothing_of_the_holders(
    tmp_path: Path,
) -> None:
    descriptor = registry.get("pysyncobj-raft")
    (port,) = free_ports(1)
    settings = {"raft_address": f"127.0.0.1:{port}", "data_dir": str(tmp_path)}
    node = NodeConfig("s1", settings=settings)
    cluster = ClusterConfig(descriptor.name, nodes=(node,))
    replicator = RaftReplicator(NodeContext(node, cluster, descriptor.resolve({})))
    with Held(tmp_path), pytest.raises(DataDirInUse, match="is in use by another process"):
        replicator.start()  # another node of this machine holds it
    replicator.start()  # free again: it runs, and holds it
    try:
        with pytest.raises(DataDirInUse):
            Held(tmp_path)
    finally:
        replicator.stop()
    Held(tmp_path).release()  # stop let it go
