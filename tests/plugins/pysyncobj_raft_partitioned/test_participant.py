"""The operations of one entry on a participant: in turn, each its own answer, one apply."""

import copy
import dataclasses
import pickle

import pytest

from core.domain import Code
from core.domain import commands as c
from core.domain.partitions import Key
from plugins.pysyncobj_raft_partitioned.operations import (
    Abort,
    Commit,
    Decide,
    Execute,
    Operation,
    Prepare,
)
from plugins.pysyncobj_raft_partitioned.participant import (
    TABLES,
    Answer,
    Decision,
    Executed,
    Participant,
    Status,
)
from plugins.pysyncobj_raft_partitioned.store import InvalidValue, MemoryStore


def test_each_command_of_a_batch_sees_the_ones_before_it_and_one_apply_stores_them() -> None:
    participant = Participant(MemoryStore(TABLES))
    batch: list[Operation] = [
        Execute(c.CreateClient("1", {"name": "ana"})),
        Execute(c.CreateClient("1", {"name": "bob"})),  # refused: the first one created it
        Execute(c.UpdateClient("1", {"name": "eva"})),
    ]
    results = participant.run(7, batch, 0, 1)
    assert all(isinstance(r, Executed) for r in results)
    assert [(r.status, r.reply.code if r.reply else None) for r in results] == [  # type: ignore[union-attr]
        (Status.OK, Code.OK),
        (Status.OK, Code.CONFLICT),
        (Status.OK, Code.OK),
    ]
    assert [r.changed for r in results] == [(("clients", "1"),), (), (("clients", "1"),)]  # type: ignore[union-attr]
    assert participant.store.get("clients", "1") == {"name": "eva"}
    assert participant.store.applied_index() == 7


def test_a_command_with_records_in_another_partition_changes_nothing() -> None:
    participant = Participant(MemoryStore(TABLES))
    (result,) = participant.run(1, [Execute(c.CreateOrder("2", "1", ()))], 0, 2)  # client 1: p1
    assert isinstance(result, Executed)
    assert result.status is Status.CROSS_PARTITION and "partition 1" in result.detail
    assert participant.store.get("orders", "2") is None


def test_an_entrys_operations_apply_in_order_each_with_its_own_answer() -> None:
    participant = Participant(MemoryStore(TABLES))
    product: Key = ("products", "4")
    entry: list[Operation] = [
        Prepare("a", [product], 0),
        Prepare("b", [product], 0),  # a holds it: LOCKED beside a's OK
        Execute(c.UpdateProduct("4", {"name": "x", "price": 1, "quantity": 1})),  # locked too
        Commit("a", {product: {"name": "pen", "price": 2, "quantity": 5}}),
        Prepare("b", [product], 0),  # released by a's commit: b reads a's write
        Decide("c", False, {}),  # c is not prepared here: only recorded
        Abort("b"),
        Abort("b"),  # b is gone: nothing to release
        Commit("a", {}),  # a is done
    ]
    outcomes = participant.run(3, entry, 0, 1)
    assert [o.status for o in outcomes if not isinstance(o, Decision)] == [
        Status.OK,
        Status.LOCKED,
        Status.LOCKED,
        Status.OK,
        Status.OK,
        Status.OK,
        Status.UNKNOWN_TX,
        Status.UNKNOWN_TX,
    ]
    assert isinstance(outcomes[0], Answer) and outcomes[0].records == {product: None}
    assert isinstance(outcomes[4], Answer)
    assert outcomes[4].records == {product: {"name": "pen", "price": 2, "quantity": 5}}
    assert outcomes[5] == Decision(False, {})
    assert participant.store.get(*product) == {"name": "pen", "price": 2, "quantity": 5}
    assert participant.store.scan("locks") == [] and participant.store.scan("transactions") == []
    assert participant.store.get("decisions", "c") == {"commit": False, "writes": {}}
    assert participant.store.applied_index() == 3


def test_a_failed_entry_changes_nothing() -> None:
    """The entry's writes go to the store in one apply: a refused one stores none of them."""
    participant = Participant(MemoryStore(TABLES))
    entry: list[Operation] = [
        Prepare("a", [("clients", "1")], 0),
        Commit("a", {("clients", "1"): {"name": float("nan")}}),  # not JSON: refused
    ]
    with pytest.raises(InvalidValue):
        participant.run(1, entry, 0, 1)
    assert participant.store.scan("locks") == [] and participant.store.applied_index() == 0


# The decider partition carries out the decision for a txid prepared in it.
ORDER: Key = ("orders", "2")
CLIENT: Key = ("clients", "1")  # partition 1 of 2: the other participant's
PLACED = {"CID": "1", "products": []}


def decider_prepared() -> Participant:
    """Partition 0 of 2, the decider, with "t" prepared on the order."""
    participant = Participant(MemoryStore(TABLES))
    (prepared,) = participant.run(1, [Prepare("t", [ORDER], 0)], 0, 2)
    assert isinstance(prepared, Answer) and prepared.status is Status.OK
    return participant


def tables(participant: Participant) -> dict[str, list[tuple[str, object]]]:
    return {table: participant.store.scan(table) for table in TABLES}


def test_a_commit_decision_stores_the_deciders_own_writes_and_releases_its_locks() -> None:
    participant = decider_prepared()
    decided = Decide("t", True, {0: {ORDER: PLACED}, 1: {CLIENT: {"name": "ana"}}})
    (decision,) = participant.run(2, [decided], 0, 2)
    assert decision == Decision(True, {0: {ORDER: PLACED}, 1: {CLIENT: {"name": "ana"}}})
    assert participant.store.get(*ORDER) == PLACED
    assert participant.store.get(*CLIENT) is None  # the other partition's part
    assert participant.store.scan("locks") == [] and participant.transactions() == {}
    (late,) = participant.run(3, [Commit("t", {ORDER: PLACED})], 0, 2)
    assert isinstance(late, Answer) and late.status is Status.UNKNOWN_TX


def test_an_abort_decision_releases_the_deciders_locks_and_writes_nothing() -> None:
    participant = decider_prepared()
    (decision,) = participant.run(2, [Decide("t", False, {0: {ORDER: PLACED}})], 0, 2)
    assert decision == Decision(False, {})
    assert participant.store.get(*ORDER) is None
    assert participant.store.scan("locks") == [] and participant.transactions() == {}
    (abort,) = participant.run(3, [Abort("t")], 0, 2)  # the coordinator's, now harmless
    assert isinstance(abort, Answer) and abort.status is Status.UNKNOWN_TX


def test_a_decision_for_a_transaction_not_prepared_here_is_only_recorded() -> None:
    participant = Participant(MemoryStore(TABLES))
    (decision,) = participant.run(1, [Decide("t", True, {0: {ORDER: PLACED}})], 0, 2)
    assert decision == Decision(True, {0: {ORDER: PLACED}})
    assert participant.store.get(*ORDER) is None
    assert participant.store.scan("decisions") == [
        ("t", {"commit": True, "writes": {"0": [["orders", "2", PLACED]]}})
    ]


def test_a_recorded_decision_returned_again_carries_nothing_out_twice() -> None:
    participant = decider_prepared()
    participant.run(2, [Decide("t", True, {0: {ORDER: PLACED}})], 0, 2)
    changed = {"CID": "1", "products": [{"PID": "4", "quantity": 1}]}
    participant.run(3, [Prepare("u", [ORDER], 0), Commit("u", {ORDER: changed})], 0, 2)
    (again,) = participant.run(4, [Decide("t", False, {})], 0, 2)  # recovery's question
    assert again == Decision(True, {0: {ORDER: PLACED}})
    assert participant.store.get(*ORDER) == changed  # u's write stays
    assert participant.store.scan("locks") == [] and participant.transactions() == {}


def test_a_deciders_own_recovery_ends_with_the_locks_released_once() -> None:
    """Recovery in the decider asks it (commit = False) for a txid prepared there."""
    participant = decider_prepared()
    outcomes = participant.run(2, [Decide("t", False, {}), Prepare("v", [ORDER], 0)], 0, 2)
    assert outcomes[0] == Decision(False, {})
    assert isinstance(outcomes[1], Answer) and outcomes[1].status is Status.OK  # free again
    assert participant.transactions().keys() == {"v"}


def test_an_old_journals_decide_unpickles_without_carry_out_and_only_records() -> None:
    """Before the decider carried out its decisions, its Decide only recorded, and its
    own Commit of the same writes followed; such an entry replays as it was applied."""
    decided = Decide("t", True, {0: {ORDER: PLACED}, 1: {CLIENT: {"name": "ana"}}})
    assert pickle.loads(pickle.dumps(decided)).carry_out  # today's entries carry out
    old = copy.copy(decided)
    del old.__dict__["carry_out"]  # pickled by the code before the field existed
    replayed = pickle.loads(pickle.dumps(old))
    assert replayed == dataclasses.replace(decided, carry_out=False)
    participant = Participant(MemoryStore(TABLES))
    participant.run(1, [Prepare("t", [ORDER], 0)], 0, 2)
    (decision,) = participant.run(2, [replayed], 0, 2)
    assert isinstance(decision, Decision) and decision.commit
    assert participant.store.get(*ORDER) is None  # only recorded: still locked
    assert participant.held_elsewhere("u", [ORDER]) == ORDER
    (committed,) = participant.run(3, [Commit("t", {ORDER: PLACED})], 0, 2)
    assert isinstance(committed, Answer) and committed.status is Status.OK
    assert participant.store.get(*ORDER) == PLACED
    assert participant.held_elsewhere("u", [ORDER]) is None
