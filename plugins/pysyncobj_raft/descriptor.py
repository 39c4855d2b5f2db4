"""The `pysyncobj-raft` strategy as the registry sees it: name, options, factory."""

from core.hookspecs import hookimpl
from core.strategy import Option, StrategyDescriptor
from plugins.pysyncobj_raft.provision import provision
from plugins.pysyncobj_raft.replicator import RaftReplicator
from plugins.pysyncobj_raft.settings import check_options
from plugins.pysyncobj_raft.status import STRATEGY

OPTIONS = {
    "read": Option(
        "linearizable",
        "linearizable: reads go through the Raft log; "
        "local: this replica's own state, faster and possibly stale",
    ),
    "timeout": Option(3.0, "seconds a command waits to commit before a 503 (outcome unknown)"),
    "password": Option(
        "", "shared secret: encrypts and authenticates Raft traffic (needs `cryptography`)"
    ),
    "insecure_transport": Option(
        False, "allow a Raft address beyond loopback without a password (trusted networks only)"
    ),
    "compaction_entries": Option(
        5000, "snapshot the state and truncate the journal past this many log entries"
    ),
}


@hookimpl
def testbed_strategies() -> list[StrategyDescriptor]:
    return [
        StrategyDescriptor(
            name=STRATEGY,
            description=(
                "Every command ordered by a Raft log (PySyncObj) and applied on every "
                "replica; durable journal and snapshots per node."
            ),
            factory=RaftReplicator,
            options=OPTIONS,
            check=check_options,
            provision=provision,
            consistency="linearizable",
        )
    ]
