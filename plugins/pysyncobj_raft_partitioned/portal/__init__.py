"""A portal server of the partitioned strategy: it holds no data of its own.

`router` finds each partition's leading replica and fails over; `remote` speaks
proto/storage.proto through it; `coordinator` runs a command as two-phase commit
(docs/partitioned.md); `reads` answers queries, with `cache` in front; `replicator`
is the `core.replication.Replicator` the portals call.
"""
