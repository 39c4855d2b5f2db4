"""The `pysyncobj-raft-partitioned` strategy, under construction: nothing registers it yet.

Partitions of the data, each replicated by its own Raft group on storage replicas that
keep their state in LMDB (issue 10). So far only the storage foundation exists: see
`store/`.
"""
