"""Members killed with SIGKILL: the cluster elects, keeps writing, and loses nothing."""

import time
from collections.abc import Iterator

from tests.plugins.pysyncobj_raft.conftest import StartCluster
from tests.plugins.pysyncobj_raft.support import (
    Writers,
    client_exists,
    converged,
    create_client,
    data_dir,
    leader,
    running,
    until,
)


def test_a_new_leader_is_elected_when_the_leader_is_killed_under_load(
    start_cluster: StartCluster, ids: Iterator[str]
) -> None:
    cluster = start_cluster()
    old = leader(cluster)
    with Writers(cluster, next(ids)) as writers:
        until(lambda: len(writers.acked) >= 30, "writes before the kill")
        cluster.kill(old)
        killed_at = time.monotonic()
        until(lambda: writers.acked_after(killed_at) >= 30, "writes acknowledged after the kill")
    survivors = running(cluster)
    assert leader(cluster, survivors) != old
    assert writers.unexpected == []
    for name in survivors:
        lost = [cid for cid in writers.acked if not client_exists(cluster, name, cid)]
        assert lost == [], f"{len(lost)} acknowledged writes missing on {name}"


def test_writes_go_on_without_a_killed_follower_which_catches_up_after_restart(
    start_cluster: StartCluster, ids: Iterator[str]
) -> None:
    # Snapshots every 20 entries: the restarted follower loads its own snapshot, then
    # receives the leader's, since the leader's journal no longer reaches back that far.
    cluster = start_cluster(compaction_entries=20)
    chief = leader(cluster)
    follower, other = (name for name in running(cluster) if name != chief)
    prefix = next(ids)
    cids = [f"{prefix}-{n}" for n in range(90)]
    for cid in cids[:30]:
        assert create_client(cluster, follower, cid).error == 0
    until(
        lambda: (data_dir(cluster, follower) / "snapshot").exists(),
        f"a snapshot in {follower}'s data_dir",
    )
    cluster.kill(follower)
    for n, cid in enumerate(cids[30:]):
        reply = create_client(cluster, (chief, other)[n % 2], cid)
        assert reply.error == 0, reply.description
    cluster.restart(follower)
    converged(cluster)
    assert [cid for cid in cids if not client_exists(cluster, follower, cid)] == []
