"""Without a majority: 503, saying whether the command may still commit."""

import signal
from collections.abc import Iterator

import grpc
import pytest

from proto import api_pb2 as pb
from tests.plugins.pysyncobj_raft.conftest import StartCluster
from tests.plugins.pysyncobj_raft.support import (
    admin,
    client_exists,
    converged,
    create_client,
    leader,
    running,
    status,
    until,
)


def test_a_write_the_leader_cannot_commit_is_reported_as_unknown(
    start_cluster: StartCluster, ids: Iterator[str]
) -> None:
    cluster = start_cluster(timeout=1.0)
    chief = leader(cluster)
    followers = [name for name in running(cluster) if name != chief]
    cid = next(ids)
    # Stopped, not killed: their connections stay open, so the leader still counts
    # them, appends the command to its log and waits for acknowledgements in vain.
    for name in followers:
        cluster.server(name).process.send_signal(signal.SIGSTOP)
    try:
        reply = create_client(cluster, chief, cid)
    finally:
        for name in followers:
            cluster.server(name).process.send_signal(signal.SIGCONT)
    assert reply.error == 503
    assert "outcome is unknown" in reply.description, reply.description
    # It may have committed after all, but then on every replica, or else on none.
    converged(cluster)
    assert len({client_exists(cluster, name, cid) for name in running(cluster)}) == 1


def test_a_member_cut_off_from_the_majority_refuses_at_once(
    start_cluster: StartCluster, ids: Iterator[str]
) -> None:
    cluster = start_cluster()
    chief = leader(cluster)
    survivor, other = (name for name in running(cluster) if name != chief)
    cluster.kill(chief)
    cluster.kill(other)
    until(lambda: not status(cluster, survivor)["details"]["has_quorum"], "loss of quorum")
    reply = create_client(cluster, survivor, next(ids))
    assert reply.error == 503
    assert "1 of 3 Raft members" in reply.description, reply.description
    assert "nothing was committed" in reply.description
    with pytest.raises(grpc.RpcError) as refused:
        admin(cluster, survivor, "RetrieveClient", pb.ID(ID=next(ids)))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
