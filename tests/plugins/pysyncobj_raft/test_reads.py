"""`read = "local"`: each replica answers from its own state, even cut off from the rest.

(Default reads go through the log, so without a majority they are refused: see
test_availability.py.)
"""

from collections.abc import Iterator
from functools import partial

from tests.plugins.pysyncobj_raft.conftest import StartCluster
from tests.plugins.pysyncobj_raft.support import (
    client_exists,
    create_client,
    leader,
    running,
    status,
    until,
)


def test_local_reads_answer_from_each_replica_even_without_a_majority(
    start_cluster: StartCluster, ids: Iterator[str]
) -> None:
    cluster = start_cluster(read="local")
    chief = leader(cluster)
    cid = next(ids)
    assert create_client(cluster, chief, cid).error == 0
    # The leader applied the command before it answered; followers apply it shortly.
    assert client_exists(cluster, chief, cid)
    for name in running(cluster):
        until(partial(client_exists, cluster, name, cid), f"{cid} on {name}")
        assert status(cluster, name)["details"]["read"] == "local"
    survivor, other = (name for name in running(cluster) if name != chief)
    cluster.kill(chief)
    cluster.kill(other)
    until(lambda: not status(cluster, survivor)["details"]["has_quorum"], "loss of quorum")
    assert client_exists(cluster, survivor, cid)
    assert create_client(cluster, survivor, next(ids)).error == 503
