"""The `Replicator` of a portal server: commands as transactions, reads from the partitions.

A portal holds no replicated state: its topology member has no group, so the
convergence check never compares it; its `digest` is that of the partitions behind
it, as their leaders hold them (digest.py). `start` waits, bounded, for every partition to have a
leader, so that the launcher, which starts the replicas first, starts portals that
can serve.
"""

import logging
import time
from typing import Any, Final

from core.domain import Command, Query, Reply
from core.replication import Status
from core.strategy import NodeContext
from plugins.pysyncobj_raft_partitioned.portal.cache import Cache
from plugins.pysyncobj_raft_partitioned.portal.coordinator import Coordinator, TxIds
from plugins.pysyncobj_raft_partitioned.portal.digest import partitions_digest
from plugins.pysyncobj_raft_partitioned.portal.fanout import Fanout
from plugins.pysyncobj_raft_partitioned.portal.reads import Reader
from plugins.pysyncobj_raft_partitioned.portal.remote import RemoteStorage
from plugins.pysyncobj_raft_partitioned.portal.router import Router
from plugins.pysyncobj_raft_partitioned.portal.settings import portal_settings
from plugins.pysyncobj_raft_partitioned.replica.options import STRATEGY

log = logging.getLogger(__name__)

LEADERS_S: Final = 20.0  # how long start() waits for every partition's leader
DRAIN_S: Final = 5.0  # how long stop() and digest() wait for answered transactions' commits
FANOUT_WORKERS: Final = 64  # calls to other partitions in flight at once, for all requests


class PartitionedReplicator:
    def __init__(self, context: NodeContext) -> None:
        self._settings = settings = portal_settings(context)
        self._router = Router(settings.replicas)
        self._storage = storage = RemoteStorage(self._router, settings.linearizable)
        self._cache = Cache(settings.cache_size)
        self._fanout = Fanout(FANOUT_WORKERS)
        self._coordinator = Coordinator(
            storage,
            TxIds(settings.node),
            settings.timeout,
            self._fanout,
            self._cache.drop,
            lock_wait=settings.lock_wait,
        )
        self._reader = Reader(storage, self._cache, self._fanout, settings.timeout)

    def start(self) -> None:
        deadline = time.monotonic() + LEADERS_S
        for partition in self._router.partitions:
            while self._router.find_leader(partition, deadline) is None:
                if time.monotonic() > deadline:
                    log.warning("partition %d has no leader yet; serving anyway", partition)
                    break
                time.sleep(0.05)

    def execute(self, command: Command) -> Reply:
        return self._coordinator.execute(command)

    def read(self, query: Query) -> Any:
        return self._reader.read(query)

    def digest(self) -> str:
        # The state this portal has acknowledged: its answered transactions committed.
        self._coordinator.drain(DRAIN_S)
        return partitions_digest(self._router)

    def status(self) -> Status:
        leaders = self._router.leaders()
        return Status(
            strategy=STRATEGY,
            node=self._settings.node,
            role="portal",
            details={
                "leaders": {f"p{partition}": leader for partition, leader in leaders.items()},
                "cache": {
                    "size": self._cache.size,
                    "entries": len(self._cache),
                    "hits": self._cache.hits,
                    "misses": self._cache.misses,
                },
                # Steps calls made and steps they carried: how well the hop batches.
                "hop": {
                    f"p{partition}": {"calls": hop.calls, "steps": hop.steps}
                    for partition, hop in self._storage.hops.items()
                },
                "read": "linearizable" if self._settings.linearizable else "local",
                "timeout": self._settings.timeout,
            },
        )

    def stop(self) -> None:
        # Answered transactions finish their commits first: no lock is left to recovery.
        self._coordinator.drain(DRAIN_S)
        self._fanout.close()
        self._router.close()
