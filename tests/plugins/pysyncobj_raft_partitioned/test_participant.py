"""A batch of one-entry commands on a participant: in turn, in one store apply."""

from core.domain import Code, Command
from core.domain import commands as c
from plugins.pysyncobj_raft_partitioned.participant import TABLES, Participant, Status
from plugins.pysyncobj_raft_partitioned.store import MemoryStore


def test_each_command_of_a_batch_sees_the_ones_before_it_and_one_apply_stores_them() -> None:
    participant = Participant(MemoryStore(TABLES))
    batch: list[Command] = [
        c.CreateClient("1", {"name": "ana"}),
        c.CreateClient("1", {"name": "bob"}),  # refused: the first one created it
        c.UpdateClient("1", {"name": "eva"}),
    ]
    results = participant.execute(7, batch, 0, 1)
    assert [(r.status, r.reply.code if r.reply else None) for r in results] == [
        (Status.OK, Code.OK),
        (Status.OK, Code.CONFLICT),
        (Status.OK, Code.OK),
    ]
    assert [r.changed for r in results] == [(("clients", "1"),), (), (("clients", "1"),)]
    assert participant.store.get("clients", "1") == {"name": "eva"}
    assert participant.store.applied_index() == 7


def test_a_command_with_records_in_another_partition_changes_nothing() -> None:
    participant = Participant(MemoryStore(TABLES))
    (result,) = participant.execute(1, [c.CreateOrder("2", "1", ())], 0, 2)  # client 1: p1
    assert result.status is Status.CROSS_PARTITION and "partition 1" in result.detail
    assert participant.store.get("orders", "2") is None
