"""PySyncObj's configuration for this strategy, and why each setting differs from its default.

Figures measured on the project's shared 2-core machine, 3 replicas on localhost
(benchmarks/raft.py has the full run).

Durability: PySyncObj writes its journal through mmap and never fsyncs (nor its
term/vote file). An entry survives the death of its process, SIGKILL included, since
it is in the kernel's page cache before the node acknowledges it; it does not
survive the machine (power loss, kernel panic) unless the kernel had written it out.
So an acknowledged write, held by a majority, survives any crash of processes and
the loss of a minority of machines, not the simultaneous loss of a majority of
machines, which on one machine means losing that machine.

Under load PySyncObj's leader rewinds a follower's next index when an acknowledgement
arrives after later entries were sent, and re-sends them; the follower truncates and
re-appends entries it already had and logs "CRITICAL ... truncating already-applied
log entries". The re-sent entries are the same ones (same index and term, which in
Raft means the same entry), so the replicas do not diverge: the digests in
`testbed status` and the tests' convergence checks show it.
"""

from pysyncobj import SyncObjConf  # type: ignore[import-untyped]

from core.replica import Replica
from plugins.pysyncobj_raft import snapshot
from plugins.pysyncobj_raft.settings import RaftSettings

# Heartbeats every 50 ms and elections after 0.4-1.0 s of silence: a dead leader is
# replaced in about a second (the default 0.4-1.4 s adds up to 0.4 s to a failover),
# while the gap to the heartbeat (8x at least) leaves room for the GIL pauses a loaded
# server takes, so load alone does not start elections.
HEARTBEAT_S = 0.05
ELECTION_S = (0.4, 1.0)
# A leader that hears from no majority for this long steps down (default 30 s): until
# it does, it accepts commands it cannot commit, whose callers then wait for their
# timeout and get "outcome unknown" instead of a prompt "nothing was committed".
LEADER_FALLBACK_S = 1.0
# A restarted peer is reconnected within half a second (default 5 s between attempts).
RECONNECT_S = 0.5
# Binding the Raft port is retried for 5 s, then the server exits with an error
# (default: retried forever while the node silently serves nothing).
BIND_RETRIES, BIND_RETRY_S = 10, 0.5


def sync_obj_conf(settings: RaftSettings, replica: Replica) -> SyncObjConf:
    return SyncObjConf(
        # With batching on (the default) the leader sends new entries only with its
        # periodic append: a synchronous write took 102 ms p50 through the leader and
        # 153 ms through a follower. Off, every command is sent as soon as it arrives
        # and the commit index as soon as it advances: about 1 ms p50 either way, and
        # concurrent writes still share appends (about 1,100-1,700 writes/s at 16 threads).
        appendEntriesUseBatch=False,
        appendEntriesPeriod=HEARTBEAT_S,
        raftMinTimeout=ELECTION_S[0],
        raftMaxTimeout=ELECTION_S[1],
        leaderFallbackTimeout=LEADER_FALLBACK_S,
        connectionRetryTime=RECONNECT_S,
        # Without a leader, fail a command at once (503, nothing committed) rather than
        # queue it for a leader that may arrive after its caller gave up: a queued
        # command could commit after the caller was told it failed.
        commandsWaitLeader=False,
        # Compaction forks by default to pickle the state in a child; fork() next to
        # gRPC's threads can deadlock the child on a lock another thread held. Our
        # serializer runs on PySyncObj's thread instead, briefly pausing the log while
        # it copies the tables (see snapshot.py); a custom serializer never forks anyway.
        useFork=False,
        serializer=snapshot.writer(replica),
        deserializer=snapshot.reader(replica),
        journalFile=str(settings.journal),
        fullDumpFile=str(settings.snapshot),
        logCompactionMinEntries=settings.compaction_entries,
        # PySyncObj binds every interface unless told otherwise: bind the node's own address.
        bindAddress=settings.bind,
        maxBindRetries=BIND_RETRIES,
        bindRetryTime=BIND_RETRY_S,
        password=settings.password,
    )
