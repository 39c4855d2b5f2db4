"""A node's view of the Raft cluster, from PySyncObj's getStatus(), for `testbed status`."""

from typing import Any

from core.replication import Status
from plugins.pysyncobj_raft.node import RaftNode
from plugins.pysyncobj_raft.settings import RaftSettings

STRATEGY = "pysyncobj-raft"
ROLES = {0: "follower", 1: "candidate", 2: "leader"}  # PySyncObj's _RAFT_STATE


def node_status(node: RaftNode, settings: RaftSettings) -> Status:
    raw = _raw_status(node)
    names = settings.names
    leader = raw["leader"]
    return Status(
        strategy=STRATEGY,
        node=settings.node,
        role=ROLES[raw["state"]],
        leader=None if leader is None else names.get(leader.address, leader.address),
        details={
            "term": raw["raft_term"],
            "commit_index": raw["commit_idx"],
            "last_applied": raw["last_applied"],
            "leader_commit_index": raw["leader_commit_idx"],
            "log_size": raw["log_len"],
            "has_quorum": raw["has_quorum"],
            "peers_connected": {
                names[address]: raw.get(f"partner_node_status_server_{address}") == 2
                for address in settings.peers.values()
            },
            "raft_address": settings.address,
            "read": settings.read,
            "data_dir": str(settings.data_dir),
            "encrypted": settings.password is not None,
        },
    )


def _raw_status(node: RaftNode) -> dict[str, Any]:
    # getStatus() walks dicts that PySyncObj's thread may be resizing (a new leader
    # resets its per-peer indexes); a retry sees them settled.
    for _ in range(3):
        try:
            return dict(node.getStatus())
        except RuntimeError:
            continue
    return dict(node.getStatus())
