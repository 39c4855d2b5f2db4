"""The `pysyncobj-raft` strategy: each server is a Raft member (PySyncObj).

Commands go through the replicated log and are applied, in log order, to every
replica by the shared domain state machine; see replicator.py for the guarantees,
tuning.py for PySyncObj's settings and settings.py for the cluster file's keys.
"""

from plugins.pysyncobj_raft.descriptor import testbed_strategies

__all__ = ["testbed_strategies"]
