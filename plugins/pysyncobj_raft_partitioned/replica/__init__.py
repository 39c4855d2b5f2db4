"""The storage replica: one partition's Raft member over its store, served over gRPC.

`testbed replica --config FILE --name N` (command.py, node kind "replica") runs one:
settings.py reads its node and its partition's group from the cluster file;
node.py is the PySyncObj member whose replicated methods run the participant;
service.py serves proto/storage.proto's Partition service (wire.py checks requests,
calls.py maps the log's failures to NO_LEADER and IN_DOUBT); status.py answers
`/testbed.Control/Status`; recovery.py resolves transactions prepared too long,
asking their decider partition (deciders.py); snapshot.py and tuning.py configure
PySyncObj; server.py puts the process together.
"""
