"""Recovery's question to a decider partition, with one of its replicas stalled.

A stopped replica (SIGSTOP) keeps its connections open and answers nothing, so each
question put to it costs the whole timeout. Recovery resolves stranded transactions
one after another; the replica that answered last must be asked first, or every
transaction pays that timeout again and its locks are held so much longer.
"""

import signal
import time

from plugins.pysyncobj_raft_partitioned.replica.deciders import Deciders
from plugins.pysyncobj_raft_partitioned.replica.settings import Member
from tests.plugins.pysyncobj_raft_partitioned.replica.support import Group

TIMEOUT_S = 3.0  # the replicas' default; a stalled replica holds a question this plus 1 s


def member(group: Group, name: str) -> Member:
    node = group.nodes[name]
    return Member(name, str(node.settings["raft_address"]), node.address)


def test_a_stalled_replica_costs_one_timeout_not_one_per_transaction(group: Group) -> None:
    leader, stalled = group.leader(), group.follower()
    others = [name for name in group.names if name not in (leader, stalled)]
    deciders = Deciders({0: tuple(member(group, n) for n in (stalled, leader, *others))}, TIMEOUT_S)
    group.processes[stalled].send_signal(signal.SIGSTOP)
    try:
        first = deciders.presumed_abort(0, "stranded-1")
        assert first is not None and first.commit is False
        started = time.monotonic()
        second = deciders.presumed_abort(0, "stranded-2")
        took = time.monotonic() - started
    finally:
        group.processes[stalled].send_signal(signal.SIGCONT)
        deciders.close()
    assert second is not None and second.commit is False
    assert took < TIMEOUT_S + 1.0, f"the stalled replica was asked again ({took:.1f} s)"
