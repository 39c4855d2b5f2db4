"""The digest a portal reports: the partitions' state as their leaders hold it.

A portal keeps no replicated state (its topology member is in no group, so the
convergence check never compares it with a replica), but what the cluster's tests and
`testbed status` ask of a server's digest is "the state behind this server": one
SHA-256 over each partition leader's own digest (its store's, locks and transactions
included, so a transaction left half done shows). Every portal reports the same one
once the leaders have applied the same entries; "" while a partition's leader cannot
be asked.
"""

import contextlib
import hashlib
import time
from typing import Final

import grpc

from core.portals.control import fetch_status
from plugins.pysyncobj_raft_partitioned.portal.router import Router

ASK_S: Final = 2.0
LEADER: Final = "leader"  # the role a replica's status names while it leads


def partitions_digest(router: Router) -> str:
    deadline = time.monotonic() + ASK_S
    parts = []
    for partition in router.partitions:
        digest = _leader_digest(router, partition, deadline)
        if digest is None:
            return ""
        parts.append(f"p{partition}={digest}")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()


def _leader_digest(router: Router, partition: int, deadline: float) -> str | None:
    """The digest of the partition's leader, found again when the one known is gone or
    no longer leads (a portal that asked only the leader it knew showed no digest after
    a failover until a client's call taught it the new one); None by `deadline`."""
    for address in router.tries(partition, deadline):
        with contextlib.suppress(grpc.RpcError):
            status = fetch_status(router.channel(address), max(0.1, deadline - time.monotonic()))
            if status.get("role") == LEADER:
                return str(status["digest"])
        router.forget(partition, address)
    return None
