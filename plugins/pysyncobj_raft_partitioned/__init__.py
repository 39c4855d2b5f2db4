"""The `pysyncobj-raft-partitioned` strategy: the course's Part 2 (docs/partitioned.md).

Partitions of the data, each replicated by its own Raft group on storage replicas that
keep their state in LMDB (issue 10): the store (`store/`), the participant state
machine (`participant.py`), the storage replica (`replica/`: node kind "replica" and
`testbed replica`), and the portals' side (`portal/`: router, two-phase commit
coordinator, reads and their cache), registered as a strategy by `descriptor.py`.
"""

from plugins.pysyncobj_raft_partitioned.descriptor import testbed_strategies
from plugins.pysyncobj_raft_partitioned.replica.hooks import testbed_commands, testbed_node_kinds

__all__ = ["testbed_commands", "testbed_node_kinds", "testbed_strategies"]
