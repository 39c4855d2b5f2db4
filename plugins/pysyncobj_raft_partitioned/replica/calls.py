"""A replicated call made and waited for, and what its failure proves (proto's statuses).

As in the Raft strategy (`plugins.pysyncobj_raft.outcomes`): a call this node cannot
get committed now (no quorum, no leader, an unreachable one) is refused before it
enters any log, NO_LEADER: nothing happened, retry. PySyncObj's own failures are
NO_LEADER when they prove the entry will never commit, and IN_DOUBT when it may still
(the leader changed, or the timeout passed): the caller must find out, not assume.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from pysyncobj import SyncObjException  # type: ignore[import-untyped]

from plugins.pysyncobj_raft import outcomes
from plugins.pysyncobj_raft.reach import obstacle
from plugins.pysyncobj_raft_partitioned.replica.node import PartitionNode
from plugins.pysyncobj_raft_partitioned.replica.settings import ReplicaSettings
from proto import storage_pb2 as pb

NO_LEADER: Final = pb.NO_LEADER
IN_DOUBT: Final = pb.IN_DOUBT


@dataclass(frozen=True)
class Unanswered:
    status: pb.Status  # NO_LEADER or IN_DOUBT
    detail: str


class Caller:
    """Makes this node's replicated calls, each waiting up to the option `timeout`."""

    def __init__(self, node: PartitionNode, settings: ReplicaSettings) -> None:
        self._node = node
        self._timeout = settings.timeout
        self._names = {m.raft: m.name for m in (settings.member, *settings.peers)}

    def call(self, method: Callable[..., Any], *args: Any) -> Any:
        """`method(*args)` through the log: its result, or `Unanswered`."""
        if (reason := obstacle(self._node, self._names)) is not None:
            return Unanswered(NO_LEADER, f"{reason}; {outcomes.RETRY}")
        try:
            return method(*args, sync=True, timeout=self._timeout)
        except SyncObjException as error:
            reason, certain = outcomes.explain(error.errorCode, self._timeout)
            if certain:
                return Unanswered(NO_LEADER, f"{reason}; {outcomes.RETRY}")
            return Unanswered(
                IN_DOUBT, f"{reason}; the entry may still commit: find out before retrying"
            )
