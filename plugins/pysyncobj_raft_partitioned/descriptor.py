"""The `pysyncobj-raft-partitioned` strategy as the registry sees it: options, topology."""

from core.hookspecs import hookimpl
from core.strategy import StrategyDescriptor
from core.topology import DEFAULT_GROUP, Count, Member, Topology
from plugins.pysyncobj_raft_partitioned.options import OPTIONS, check_options
from plugins.pysyncobj_raft_partitioned.portal.replicator import PartitionedReplicator
from plugins.pysyncobj_raft_partitioned.portal.settings import REPLICA
from plugins.pysyncobj_raft_partitioned.provision import provision
from plugins.pysyncobj_raft_partitioned.replica.options import STRATEGY

# Replicas first: a portal's start() waits for every partition's leader. Each replica
# is in its partition's group, "p<N>" (set by provision; DEFAULT_GROUP only names the
# kind's default); portals hold no state and are in none.
TOPOLOGY = Topology(
    (
        Member(REPLICA, Count(default=6, minimum=1), group=DEFAULT_GROUP),
        Member("server", Count(default=2, minimum=1), group=None),
    )
)


@hookimpl
def testbed_strategies() -> list[StrategyDescriptor]:
    return [
        StrategyDescriptor(
            name=STRATEGY,
            description=(
                "The data split into partitions, each a Raft group (PySyncObj) of storage "
                "replicas on LMDB; portals without state, a read cache, and orders across "
                "partitions by two-phase commit (the course's Part 2)."
            ),
            factory=PartitionedReplicator,
            options=OPTIONS,
            check=check_options,
            provision=provision,
            topology=TOPOLOGY,
            consistency="linearizable",
        )
    ]
