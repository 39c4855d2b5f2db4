"""The `pysyncobj-raft-partitioned` strategy, under construction: no strategy registered yet.

Partitions of the data, each replicated by its own Raft group on storage replicas that
keep their state in LMDB (issue 10). So far: the storage foundation (`store/`), the
participant state machine (`participant.py`) and the storage replica (`replica/`),
whose node kind and `testbed replica` command this module registers.
"""

from plugins.pysyncobj_raft_partitioned.replica.hooks import testbed_commands, testbed_node_kinds

__all__ = ["testbed_commands", "testbed_node_kinds"]
