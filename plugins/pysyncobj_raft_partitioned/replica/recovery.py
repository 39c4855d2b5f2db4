"""Recovery on a partition's leader: transactions prepared too long are resolved.

Presumed abort (docs/partitioned.md): a transaction still prepared here `lock_timeout`
seconds after this leader first saw it is resolved by asking its decider partition
(Decide with commit = false): a commit the coordinator recorded is finished with the
writes recorded for this partition, anything else is aborted, and the abort is then
the recorded decision, so a coordinator that comes back late can no longer commit.
Either way the locks go, through this partition's log. In the decider partition itself
its own Decide does it: the decider carries out, in that entry, the decision for a
transaction prepared in it (participant.py), so nothing is left to commit or abort.

The age is measured on this leader's own clock from when it first saw the prepared
transaction, not from the log: replicated time would need the clocks of the replicas
to agree. A new leader therefore waits a whole `lock_timeout` before resolving what it
inherited; a lock is held at most the lock timeout plus a round after its coordinator
stops, and an election when the leader fails too.
"""

import logging
import threading
import time
from collections.abc import Callable

from plugins.pysyncobj_raft_partitioned.participant import Answer
from plugins.pysyncobj_raft_partitioned.replica import wire
from plugins.pysyncobj_raft_partitioned.replica.calls import Caller
from plugins.pysyncobj_raft_partitioned.replica.deciders import Deciders
from plugins.pysyncobj_raft_partitioned.replica.node import PartitionNode
from plugins.pysyncobj_raft_partitioned.replica.settings import ReplicaSettings

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class Recovery:
    def __init__(
        self,
        node: PartitionNode,
        settings: ReplicaSettings,
        deciders: Deciders,
        clock: Clock = time.monotonic,
    ) -> None:
        self._node = node
        self._settings = settings
        self._deciders = deciders
        self._caller = Caller(node, settings)
        self._clock = clock
        self._seen: dict[str, float] = {}  # txid -> when this leader first saw it prepared
        # Often enough that a lock outlives its timeout by a fraction of it at most.
        self.period = min(1.0, settings.lock_timeout / 4)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="recovery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(self.period):
            try:
                self.round()
            except Exception:
                log.exception("a recovery round failed; the next one tries again")

    def round(self) -> None:
        """Resolve each transaction prepared here for `lock_timeout`, if this node leads."""
        if not self._node.is_leader():
            self._seen.clear()  # a later term starts its own count
            return
        now = self._clock()
        prepared = self._node.participant.transactions()
        self._seen = {txid: self._seen.get(txid, now) for txid in prepared}
        for txid, entry in prepared.items():
            if self._stopping.is_set():
                return
            if now - self._seen[txid] >= self._settings.lock_timeout:
                self._resolve(txid, int(entry["decider"]))

    def _resolve(self, txid: str, decider: int) -> None:
        reply = self._deciders.presumed_abort(decider, txid)
        if reply is None:
            log.warning("recovery of %s: no replica of partition %d answered", txid, decider)
            return
        own, partitions = self._settings.partition, self._settings.partitions
        verb = "commit" if reply.commit else "abort"
        if decider == own:
            log.info("recovery: %s of %s, carried out by its decision here", verb, txid)
            return
        if reply.commit:
            mine = [part.writes for part in reply.writes if part.partition == own]
            writes = wire.writes(mine[0] if mine else [], own, partitions)
            result = self._caller.call(self._node.commit, txid, writes)
        else:
            result = self._caller.call(self._node.abort, txid)
        outcome = result.status.value if isinstance(result, Answer) else result
        log.info("recovery: %s of %s (decider partition %d): %s", verb, txid, decider, outcome)
