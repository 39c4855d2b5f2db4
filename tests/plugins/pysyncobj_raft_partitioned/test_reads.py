"""Reads over real participants in memory: rendering by the domain, locks, the cache."""

import threading
import time
from collections.abc import Iterator

import pytest

from core.domain import commands as c
from core.replication import Unavailable
from plugins.pysyncobj_raft_partitioned.portal.cache import Cache
from plugins.pysyncobj_raft_partitioned.portal.coordinator import Coordinator, TxIds
from plugins.pysyncobj_raft_partitioned.portal.fanout import Fanout
from plugins.pysyncobj_raft_partitioned.portal.reads import Reader
from tests.plugins.pysyncobj_raft_partitioned.local import LocalStorage


@pytest.fixture
def fanout() -> Iterator[Fanout]:
    pool = Fanout(4)
    yield pool
    pool.close()


def setup(fanout: Fanout, cache_size: int = 0) -> tuple[LocalStorage, Coordinator, Reader]:
    storage = LocalStorage(2)
    cache = Cache(cache_size)
    run = Coordinator(storage, TxIds("s1"), 2.0, fanout, cache.drop)
    for command in (
        c.CreateClient("1", {"name": "ana"}),
        c.CreateProduct("3", {"name": "pen", "price": 2, "quantity": 5}),
        c.CreateOrder("2", "1", (("3", 2),)),
        c.CreateOrder("4", "1", (("3", 1),)),
    ):
        assert run.execute(command).ok
    assert run.drain(5.0)  # cross-partition orders commit after their reply
    return storage, run, Reader(storage, cache, fanout, 0.5)


def test_a_clients_orders_come_from_their_partitions_rendered_by_the_domain(
    fanout: Fanout,
) -> None:
    _, _, reader = setup(fanout)
    orders = reader.read(c.GetClientOrders("1"))
    assert [o["OID"] for o in orders] == ["2", "4"]
    assert reader.read(c.GetOrder("2")) == orders[0]
    assert reader.read(c.GetProduct("3"))["quantity"] == 2
    assert reader.read(c.GetClient("9")) is None


def test_a_locked_record_is_read_once_released_or_unavailable_after_the_timeout(
    fanout: Fanout,
) -> None:
    storage, _, reader = setup(fanout)
    assert storage.prepare(1, "other", [("products", "3")], 1, time.monotonic() + 1).ok
    with pytest.raises(Unavailable, match="locked"):
        reader.read(c.GetProduct("3"))
    threading.Timer(0.2, lambda: storage.abort(1, "other", time.monotonic() + 1)).start()
    assert reader.read(c.GetProduct("3"))["quantity"] == 2


def test_cached_reads_skip_the_partition_and_this_portals_writes_refresh_them(
    fanout: Fanout,
) -> None:
    storage, run, reader = setup(fanout, cache_size=10)
    assert reader.read(c.GetProduct("3"))["quantity"] == 2
    reads = storage.calls.count((1, "read"))
    assert reader.read(c.GetProduct("3"))["quantity"] == 2
    assert storage.calls.count((1, "read")) == reads  # from the cache
    assert run.execute(c.DeleteOrder("4")).ok
    assert reader.read(c.GetProduct("3"))["quantity"] == 3


def test_a_cross_partition_order_answers_before_its_commits_and_no_read_sees_it_half_done(
    fanout: Fanout,
) -> None:
    storage, run, reader = setup(fanout)
    released = threading.Event()
    real_commit = storage.commit

    def held_commit(partition: int, *args: object) -> object:
        if partition == 1:  # the client's and product's partition commits late
            assert released.wait(10)
        return real_commit(partition, *args)  # type: ignore[arg-type]

    storage.commit = held_commit  # type: ignore[method-assign, assignment]
    # Order 6 lives in partition 0, its client and product in partition 1.
    assert run.execute(c.CreateOrder("6", "1", (("3", 1),))).ok
    assert not run.drain(0.05), "the reply came before partition 1's commit"
    with pytest.raises(Unavailable, match="locked"):
        reader.read(c.GetProduct("3"))  # neither the old stock nor a half-done order
    released.set()
    assert run.drain(5.0)
    assert reader.read(c.GetProduct("3"))["quantity"] == 1
    assert [o["OID"] for o in reader.read(c.GetClientOrders("1"))] == ["2", "4", "6"]
    assert storage.locks() == []
