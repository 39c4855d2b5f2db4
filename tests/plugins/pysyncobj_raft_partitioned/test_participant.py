"""The operations of one entry on a participant: in turn, each its own answer, one apply."""

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
        Decide("b", False, {}),
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
    assert participant.store.get("decisions", "b") == {"commit": False, "writes": {}}
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
