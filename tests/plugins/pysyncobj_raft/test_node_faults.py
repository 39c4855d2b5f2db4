"""Faults on Raft members by name: restarted in place, and a leader cut off by nftables."""

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import grpc
import pytest

from core import network
from core.launcher import Cluster
from core.strategy import StrategyDescriptor
from proto import api_pb2 as pb
from proto import api_pb2_grpc
from tests.conftest import cluster_config
from tests.plugins.pysyncobj_raft.conftest import StartCluster, skip_unless_raft
from tests.plugins.pysyncobj_raft.support import (
    client_exists,
    converged,
    create_client,
    data_dir,
    leader,
    running,
    until,
)

TRAILER = "testbed-outcome"


def test_a_killed_member_restarts_on_its_address_with_its_data(
    start_cluster: StartCluster, ids: Iterator[str]
) -> None:
    cluster = start_cluster()
    chief = leader(cluster)
    follower = next(name for name in running(cluster) if name != chief)
    node = cluster.node(follower)
    address, raft, directory = (
        node.address,
        node.config.settings["raft_address"],
        data_dir(cluster, follower),
    )
    cid = next(ids)
    assert create_client(cluster, chief, cid).error == 0
    converged(cluster)
    cluster.kill(follower)
    cluster.start_node(follower)
    assert (node.address, node.config.settings["raft_address"]) == (address, raft)
    assert data_dir(cluster, follower) == directory
    converged(cluster)
    assert client_exists(cluster, follower, cid)


@pytest.fixture
def apart(
    strategy: StrategyDescriptor, tmp_path: Path
) -> Iterator[tuple[Cluster, network.Firewall]]:
    """Three members, each on its own loopback address, and a firewall between them."""
    skip_unless_raft(strategy)
    if (why := network.available()) is not None:
        pytest.skip(why)
    with ExitStack() as stack:
        firewall = stack.enter_context(network.Firewall())
        config = cluster_config(strategy, 3, {"timeout": 2.0})
        cluster = stack.enter_context(Cluster(config, tmp_path, distinct_addresses=True))
        yield cluster, firewall


def create_with_trailer(cluster: Cluster, name: str, cid: str) -> tuple[pb.Reply, str | None]:
    with grpc.insecure_channel(cluster.node(name).address) as channel:
        stub = api_pb2_grpc.AdminPortalStub(channel)
        request = pb.Client(CID=cid, data=json.dumps({"name": cid}))
        reply, call = stub.CreateClient.with_call(request, timeout=30)
    trailer = dict(call.trailing_metadata() or ()).get(TRAILER)
    return reply, None if trailer is None else str(trailer)


def test_a_partitioned_leader_never_acknowledges_and_the_majority_goes_on(
    apart: tuple[Cluster, network.Firewall], ids: Iterator[str]
) -> None:
    cluster, firewall = apart
    chief = leader(cluster)
    others = [name for name in running(cluster) if name != chief]
    hosts = {node.name: node.config.host for node in cluster.nodes}
    cut = firewall.partition(hosts[chief], [hosts[name] for name in others])
    stranded = next(ids)
    reply, outcome = create_with_trailer(cluster, chief, stranded)
    assert reply.error == 503 and outcome in ("none", "unknown"), (reply, outcome)
    majority = next(ids)
    until(
        lambda: create_client(cluster, others[0], majority).error == 0,
        "the majority elects a leader and commits",
    )
    firewall.heal(cut)
    converged(cluster)
    assert all(client_exists(cluster, name, majority) for name in running(cluster))
    seen = {client_exists(cluster, name, stranded) for name in running(cluster)}
    assert len(seen) == 1, "the stranded write is everywhere or nowhere"


def test_a_flaky_leader_still_commits_and_the_replicas_agree_after_healing(
    apart: tuple[Cluster, network.Firewall], ids: Iterator[str]
) -> None:
    cluster, firewall = apart
    chief = leader(cluster)
    hosts = {node.name: node.config.host for node in cluster.nodes}
    rule = firewall.flaky(hosts[chief], [h for name, h in hosts.items() if name != chief], 0.3)
    written = [next(ids) for _ in range(10)]

    def commits(cid: str) -> bool:
        return create_client(cluster, leader(cluster), cid).error in (0, 409)

    try:
        for cid in written:
            until(lambda: commits(cid), f"{cid} commits through a lossy link")  # noqa: B023
    finally:
        firewall.heal(rule)
    converged(cluster)
    assert all(client_exists(cluster, name, cid) for name in running(cluster) for cid in written)


def test_a_restarted_leader_comes_back_in_place_and_catches_up(
    start_cluster: StartCluster, ids: Iterator[str]
) -> None:
    cluster = start_cluster()
    chief = leader(cluster)
    address = cluster.node(chief).address
    cluster.restart(chief)
    cid = next(ids)
    until(lambda: create_client(cluster, leader(cluster), cid).error == 0, "a write commits")
    converged(cluster)
    assert cluster.node(chief).address == address
    assert client_exists(cluster, chief, cid)
