"""Provisioning: P x R replicas named p<P>-r<I>, each with its settings and group."""

from pathlib import Path

import pytest

from core.config import ClusterConfig, NodeConfig
from plugins.pysyncobj_raft_partitioned.portal.settings import replica_addresses
from plugins.pysyncobj_raft_partitioned.provision import provision

STRATEGY = "pysyncobj-raft-partitioned"


def replicas(config: ClusterConfig) -> list[NodeConfig]:
    return [node for node in config.nodes if node.kind == "replica"]


def test_placeholders_become_p_times_r_named_replicas_with_their_settings(tmp_path: Path) -> None:
    placeholders = tuple(
        NodeConfig(f"replica{n}", "127.0.0.5", 7000 + n, kind="replica") for n in range(1, 7)
    )
    server = NodeConfig("s1", port=6000)
    done = provision(
        ClusterConfig(STRATEGY, {"partitions": "3", "replicas": 2}, (server, *placeholders)),
        tmp_path,
    )
    made = replicas(done)
    assert [n.name for n in made] == ["p0-r1", "p0-r2", "p1-r1", "p1-r2", "p2-r1", "p2-r2"]
    assert [n.settings["partition"] for n in made] == [0, 0, 1, 1, 2, 2]
    assert [n.group for n in made] == ["p0", "p0", "p1", "p1", "p2", "p2"]
    assert {n.port for n in made} == {7001, 7002, 7003, 7004, 7005, 7006}  # lent
    raft = [n.settings["raft_address"] for n in made]
    assert all(a.startswith("127.0.0.5:") for a in raft) and len(set(raft)) == 6
    assert {int(a.rpartition(":")[2]) for a in raft}.isdisjoint({6000, *range(7001, 7007)})
    assert made[0].settings["data_dir"] == str((tmp_path / "partitioned" / "p0-r1").resolve())
    assert done.server("s1") == server
    assert replica_addresses(done, 3)[2] == ["127.0.0.5:7005", "127.0.0.5:7006"]


def test_replicas_the_file_places_are_kept_and_the_partitions_filled(tmp_path: Path) -> None:
    given = NodeConfig(
        "far", "10.0.0.9", 9000, kind="replica",
        settings={"partition": 1, "raft_address": "10.0.0.9:9100", "data_dir": "/srv/p1"},
    )  # fmt: skip
    trusted = {"insecure_transport": True}  # else its Raft port beyond loopback is refused
    done = provision(ClusterConfig(STRATEGY, trusted, (NodeConfig("s1"), given)), tmp_path)
    made = {n.name: n for n in replicas(done)}
    assert sorted(made) == ["far", "p0-r1", "p0-r2", "p0-r3", "p1-r1", "p1-r2"]
    assert made["far"].settings == given.settings and made["far"].group == "p1"
    assert made["p1-r1"].host == "127.0.0.1"


def test_a_partition_without_replicas_is_named() -> None:
    config = ClusterConfig(
        STRATEGY, {}, (NodeConfig("r", kind="replica", settings={"partition": 0}),)
    )
    with pytest.raises(ValueError, match=r"partition\(s\) 1 have no replica"):
        replica_addresses(config, 2)


@pytest.mark.parametrize(
    ("option", "rule"),
    [
        ({"cache_size": "-1"}, "option cache_size must be 0"),
        ({"read": "bogus"}, "option read must be one of linearizable, local"),
        ({"lock_timeout": "1"}, r"option lock_timeout \(1 s\) must be above timeout"),
        ({"lock_wait": "0"}, "option lock_wait must be"),
    ],
)
def test_a_bad_portal_option_is_refused_before_any_replica_is_placed(
    tmp_path: Path, option: dict[str, str], rule: str
) -> None:
    # The launcher provisions before it starts a node: refused here, no replica starts
    # only for the first portal to refuse the option after every group elected a leader.
    with pytest.raises(ValueError, match=rule):
        provision(ClusterConfig(STRATEGY, option, (NodeConfig("s1"),)), tmp_path)


@pytest.mark.parametrize(
    ("options", "placed", "rule"),
    [
        ({}, {"far": 5}, r"replica 'far' needs partition = N, a number from 0 to 1"),
        ({}, {"far": "1"}, r"replica 'far' needs partition = N.*it has '1'"),
        ({"partitions": 1, "replicas": 1}, {"a": 0, "b": 0}, r"partition 0 has 2 replica node"),
    ],
)
def test_a_replica_the_file_places_wrongly_is_refused_before_any_starts(
    tmp_path: Path, options: dict[str, int], placed: dict[str, object], rule: str
) -> None:
    # Each replica would refuse it once spawned, after the others had started.
    nodes = tuple(
        NodeConfig(name, port=0, kind="replica", settings={"partition": partition})
        for name, partition in placed.items()
    )
    with pytest.raises(ValueError, match=rule):
        provision(ClusterConfig(STRATEGY, options, (NodeConfig("s1"), *nodes)), tmp_path)
