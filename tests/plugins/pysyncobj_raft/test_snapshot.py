"""The snapshot file restores the tables, and the indexes derived from them."""

from pathlib import Path

from core.domain import commands as c
from core.domain import digest
from core.replica import Replica
from plugins.pysyncobj_raft import snapshot


def test_a_snapshot_restores_the_state_and_hands_back_the_raft_data(tmp_path: Path) -> None:
    source = Replica()
    for command in (
        c.CreateClient("c1", {"name": "Paulo"}),
        c.CreateProduct("p1", {"name": "caneta", "price": "2.50", "quantity": 5}),
        c.CreateOrder("o1", "c1", (("p1", 2),)),
    ):
        assert source.execute(command).reply.ok
    path = str(tmp_path / "snapshot")
    raft = (b"entry", 7, 2)
    snapshot.writer(source)(path, raft)

    restored = Replica()
    assert snapshot.reader(restored)(path) == raft
    assert restored.digest() == source.digest() != digest({})
    assert restored.read(c.GetClientOrders("c1")) == source.read(c.GetClientOrders("c1"))
    refusal = restored.execute(c.DeleteProduct("p1")).reply  # needs the derived index
    assert refusal.code == 409, refusal
