"""The `Replicator` of one Raft member: commands through the log, reads per the read mode.

Writes: a command is appended to the Raft log through PySyncObj (forwarded to the
leader from a follower) and the caller waits, up to `timeout`, for it to commit and be
applied to this node's replica; the reply is the one the state machine computed
there. No success is returned for anything that did not commit.

Reads, `read = "linearizable"` (default): the query itself goes through the log and is
answered when its entry is applied here. Its entry is ordered after every write that
committed before the read began, and the answer is the state at one point of the
log, so a read never misses an acknowledged write nor sees one that is later undone.
(A leader answering from its own state would not be safe with PySyncObj: a deposed
leader keeps its role until `leaderFallbackTimeout` and would serve stale data.)
The price is a log entry per read.

Reads, `read = "local"`: this replica's own state, under its lock, with no network
round trip: faster, and possibly stale, by the entries this node has not applied yet
(a follower lags the leader by a heartbeat or so; a partitioned node, indefinitely).
"""

import logging
import time
from typing import Any, cast

from pysyncobj import SyncObjException  # type: ignore[import-untyped]

from core.data_dir import Held
from core.domain import Command, Query, Reply
from core.replica import Replica
from core.replication import Status, Unavailable
from core.strategy import NodeContext
from plugins.pysyncobj_raft import outcomes
from plugins.pysyncobj_raft.node import QueryFailed, RaftNode
from plugins.pysyncobj_raft.reach import obstacle
from plugins.pysyncobj_raft.settings import raft_settings
from plugins.pysyncobj_raft.status import node_status

log = logging.getLogger(__name__)

# How long start() waits to catch up with a leader before serving anyway (a node that
# starts while the majority is down serves 503s until it comes back).
CATCH_UP_S = 10.0


class RaftReplicator:
    def __init__(self, context: NodeContext) -> None:
        self._settings = raft_settings(context)
        self._replica = Replica()
        self._node: RaftNode | None = None
        self._held: Held | None = None

    def start(self) -> None:
        self._held = Held(self._settings.data_dir)  # its journal is this process's alone
        node = RaftNode(self._settings, self._replica)
        try:
            node.waitBinded()
        except SyncObjException:
            node.destroy_synchronous()
            self._held.release()
            raise OSError(
                f"cannot listen for Raft on {self._settings.bind}: the port is in use "
                "or the address is not on this machine"
            ) from None
        self._node = node
        deadline = time.monotonic() + CATCH_UP_S
        while not node.isReady() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not node.isReady():
            log.warning("%s has not caught up with a Raft leader yet", self._settings.node)

    def execute(self, command: Command) -> Reply:
        node, timeout = self._running(), self._settings.timeout
        if (reason := obstacle(node, self._settings.names)) is not None:
            return outcomes.refused(reason)
        try:
            return cast(Reply, node.run_command(command, sync=True, timeout=timeout))
        except SyncObjException as error:
            return outcomes.failed(error.errorCode, timeout)

    def read(self, query: Query) -> Any:
        if self._settings.read == "local":
            return self._replica.read(query)
        node, timeout = self._running(), self._settings.timeout
        if (reason := obstacle(node, self._settings.names)) is not None:
            raise Unavailable(outcomes.unanswered(reason))
        try:
            result = node.run_query(query, sync=True, timeout=timeout)
        except SyncObjException as error:
            reason, _ = outcomes.explain(error.errorCode, timeout)
            raise Unavailable(outcomes.unanswered(reason)) from None
        if isinstance(result, QueryFailed):
            raise result
        return result

    def digest(self) -> str:
        return self._replica.digest()

    def status(self) -> Status:
        return node_status(self._running(), self._settings)

    def stop(self) -> None:
        """Stop PySyncObj's thread, which flushes the journal to its file."""
        if self._node is not None:
            self._node.destroy_synchronous()
            self._node = None
        if self._held is not None:
            self._held.release()
            self._held = None

    def _running(self) -> RaftNode:
        if self._node is None:
            raise RuntimeError(f"the Raft node {self._settings.node} is not running")
        return self._node
