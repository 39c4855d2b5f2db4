"""The whole cluster stopped (or crashed) and started again from its data directories."""

import signal
from collections.abc import Iterator

import pytest

from tests.plugins.pysyncobj_raft.conftest import StartCluster
from tests.plugins.pysyncobj_raft.support import (
    Writers,
    client_exists,
    converged,
    create_client,
    leader,
    until,
)


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGKILL"])
def test_a_restarted_cluster_keeps_every_acknowledged_write(
    start_cluster: StartCluster, ids: Iterator[str], stop: str
) -> None:
    first = start_cluster()
    with Writers(first, next(ids)) as writers:
        until(lambda: len(writers.acked) >= 100, "writes before the stop")
        for server in first.servers:  # while the writers are still writing
            first.kill(server.name, signal.Signals[stop])
    assert writers.unexpected == []
    # The generated config keeps each node's Raft address and data directory.
    second = start_cluster(first.config, first.workdir)
    name = leader(second)
    lost = [cid for cid in writers.acked if not client_exists(second, name, cid)]
    assert lost == [], f"{len(lost)} of {len(writers.acked)} acknowledged writes lost"
    assert create_client(second, name, next(ids)).error == 0
    converged(second)
