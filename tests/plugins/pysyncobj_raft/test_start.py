"""A node whose Raft port is taken stops with a clear error instead of serving nothing."""

import socket
from pathlib import Path

import pytest

from core import registry
from core.config import ClusterConfig, NodeConfig
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
