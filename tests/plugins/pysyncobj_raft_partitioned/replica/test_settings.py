"""A replica's settings from the cluster file: its group, and a sentence for each mistake."""

from typing import Any

import pytest

from core.config import ClusterConfig, NodeConfig
from plugins.pysyncobj_raft_partitioned.replica.settings import replica_settings


def replica(name: str, partition: Any, port: int, **settings: Any) -> NodeConfig:
    given = {"partition": partition, "raft_address": f"127.0.0.1:{port}", "data_dir": f"/d/{name}"}
    return NodeConfig(name, port=port + 1, kind="replica", settings={**given, **settings})


def cluster(*nodes: NodeConfig, **options: Any) -> ClusterConfig:
    return ClusterConfig("pysyncobj-raft-partitioned", {"replicas": 2, **options}, nodes)


LAYOUT = (
    replica("a", 0, 7000),
    replica("b", 0, 7010),
    replica("c", 1, 7020),
    replica("d", 1, 7030),
    NodeConfig("s1", port=7100),
)


def test_a_replicas_peers_are_the_other_replicas_of_its_partition() -> None:
    settings = replica_settings(cluster(*LAYOUT, cache_size=10), "c")
    assert (settings.partition, settings.partitions) == (1, 2)
    assert settings.member.raft == "127.0.0.1:7020"
    assert settings.member.grpc == "127.0.0.1:7021"
    assert [peer.name for peer in settings.peers] == ["d"]
    assert {p: [m.name for m in group] for p, group in settings.groups.items()} == {
        0: ["a", "b"],
        1: ["c", "d"],
    }
    assert (settings.store, settings.durability) == ("lmdb", "full")
    assert (settings.lock_timeout, settings.timeout) == (5.0, 3.0)
    assert str(settings.store_dir) == "/d/c/store"


def test_options_given_as_text_are_converted() -> None:
    given = cluster(*LAYOUT, lock_timeout="0.5", store="memory", replicas="2")
    settings = replica_settings(given, "a")
    assert (settings.lock_timeout, settings.store) == (0.5, "memory")


@pytest.mark.parametrize(
    ("nodes", "options", "message"),
    [
        (LAYOUT, {"lock_timeout": "soon"}, "option 'lock_timeout' of strategy"),
        (LAYOUT, {"timeout": 0}, "option timeout must be a number of seconds > 0"),
        (LAYOUT, {"store": "disk"}, "option store must be one of lmdb, memory"),
        (LAYOUT, {"durability": "some"}, "option durability must be one of full, no-metasync"),
        (LAYOUT, {"replicas": 3}, "partition 0 has 2 replica node(s)"),
        ((replica("a", 2, 7000), *LAYOUT[1:]), {}, "replica 'a' needs partition = N, a number"),
        ((replica("a", "0", 7000), *LAYOUT[1:]), {}, "replica 'a' needs partition = N"),
        ((replica("a", 0, 7010), *LAYOUT[1:]), {}, "two replicas share a raft_address"),
        ((replica("a", 0, 0), *LAYOUT[1:]), {}, "raft_address '127.0.0.1:0' needs a fixed port"),
        ((replica("a", 0, 7000, data_dir=""), *LAYOUT[1:]), {}, "replica 'a' has no data_dir"),
        (
            (replica("a", 0, 7000, raft_address="10.0.0.1:7000"), *LAYOUT[1:]),
            {},
            "replica 'a' would listen for Raft on 10.0.0.1:7000, beyond this machine, without",
        ),
    ],
)
def test_a_mistake_is_named(
    nodes: tuple[NodeConfig, ...], options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        replica_settings(cluster(*nodes, **options), "a")
    assert message in str(caught.value)


def test_a_raft_address_beyond_loopback_is_allowed_when_told_the_network_is_trusted() -> None:
    nodes = (replica("a", 0, 7000, raft_address="10.0.0.1:7000"), *LAYOUT[1:])
    settings = replica_settings(cluster(*nodes, insecure_transport="true"), "a")
    assert settings.member.raft == "10.0.0.1:7000"
