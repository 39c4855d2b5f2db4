"""A replica's view of its partition's Raft group, for `/testbed.Control/Status`.

The document `core.portals.control` serves: strategy, node, role (leader, follower,
candidate), leader (a replica's name), details (partition, indexes, the prepared
transactions) and the digest of the store, which covers every table (records, locks,
transactions, decisions), so equal digests mean equal replicas.
"""

from typing import Any

from core.replication import Status
from plugins.pysyncobj_raft.status import ROLES
from plugins.pysyncobj_raft_partitioned.replica.node import PartitionNode
from plugins.pysyncobj_raft_partitioned.replica.options import STRATEGY
from plugins.pysyncobj_raft_partitioned.replica.settings import ReplicaSettings


class ReplicaStatus:
    """The `Observed` of `core.portals.control` for a replica."""

    def __init__(self, node: PartitionNode, settings: ReplicaSettings) -> None:
        self._node = node
        self._settings = settings

    def status(self) -> Status:
        raw = self._raw()
        settings, store = self._settings, self._node.participant.store
        leader = raw["leader"]
        member = None if leader is None else settings.by_raft(leader.address)
        return Status(
            strategy=STRATEGY,
            node=settings.member.name,
            role=ROLES[raw["state"]],
            leader=None if leader is None else member.name if member else leader.address,
            details={
                "partition": settings.partition,
                "applied_index": store.applied_index(),
                "commit_index": raw["commit_idx"],
                "last_applied": raw["last_applied"],
                "term": raw["raft_term"],
                "has_quorum": raw["has_quorum"],
                "prepared_transactions": len(self._node.participant.transactions()),
                "raft_address": settings.member.raft,
                "store": settings.store,
                "data_dir": str(settings.data_dir),
                "encrypted": settings.password is not None,
            },
        )

    def digest(self) -> str:
        return self._node.participant.store.digest()

    def _raw(self) -> dict[str, Any]:
        # getStatus() walks dicts PySyncObj's thread may be resizing; a retry sees them settled.
        for _ in range(3):
            try:
                return dict(self._node.getStatus())
            except RuntimeError:
                continue
        return dict(self._node.getStatus())
