"""PySyncObj's configuration for a partition's Raft group: the Raft strategy's tuning.

The timings and the reasons for each setting are those of `plugins.pysyncobj_raft.tuning`;
what differs is the state: the replica's store, snapshotted by the store itself.
"""

from pysyncobj import SyncObjConf  # type: ignore[import-untyped]

from plugins.pysyncobj_raft import tuning
from plugins.pysyncobj_raft_partitioned.replica import snapshot
from plugins.pysyncobj_raft_partitioned.replica.settings import ReplicaSettings
from plugins.pysyncobj_raft_partitioned.store import Store


def sync_obj_conf(settings: ReplicaSettings, store: Store) -> SyncObjConf:
    return SyncObjConf(
        appendEntriesUseBatch=False,  # about 1 ms per entry instead of a heartbeat's wait
        appendEntriesPeriod=tuning.HEARTBEAT_S,
        raftMinTimeout=tuning.ELECTION_S[0],
        raftMaxTimeout=tuning.ELECTION_S[1],
        leaderFallbackTimeout=tuning.LEADER_FALLBACK_S,
        connectionRetryTime=tuning.RECONNECT_S,
        commandsWaitLeader=False,  # fail at once without a leader: nothing committed
        useFork=False,  # no fork() beside gRPC's threads; a custom serializer never forks
        serializer=snapshot.writer(store),
        deserializer=snapshot.reader(store),
        journalFile=str(settings.journal),
        fullDumpFile=str(settings.snapshot),
        logCompactionMinEntries=settings.compaction_entries,  # or every 5 minutes
        bindAddress=settings.member.raft,
        maxBindRetries=tuning.BIND_RETRIES,
        bindRetryTime=tuning.BIND_RETRY_S,
        password=settings.password,
    )
