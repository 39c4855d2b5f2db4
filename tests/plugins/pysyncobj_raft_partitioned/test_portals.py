"""Portals over real replicas: 2 partitions x 3 replicas (PySyncObj, LMDB) behind 2 portals.

These start their own cluster, with the portals' read cache on (the strategy's
defaults), so they run only when the selected strategy is pysyncobj-raft-partitioned
(tox env py311-partitioned). An ID of digits lives in partition int(ID) % 2.
"""

import json
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from core.strategy import StrategyDescriptor
from plugins.pysyncobj_raft_partitioned.replica.options import STRATEGY
from proto import api_pb2 as pb
from tests.plugins.pysyncobj_raft_partitioned.portals import TIMEOUT_S, Portal, ids


@pytest.fixture(scope="module")
def cluster(
    strategy: StrategyDescriptor, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    if strategy.name != STRATEGY:
        pytest.skip(f"runs real {STRATEGY} clusters; the selected strategy is {strategy.name}")
    config = ClusterConfig(
        strategy=STRATEGY,
        options={"cache_size": 1000},  # on, so the cache's staleness shows
        nodes=(NodeConfig("s1", port=0), NodeConfig("s2", port=0)),
    )
    with Cluster(config, workdir=tmp_path_factory.mktemp("partitioned"), ready_timeout=60) as up:
        yield up


@pytest.fixture(scope="module")
def portals(cluster: Cluster) -> Iterator[list[Portal]]:
    opened = [Portal(server.address) for server in cluster.servers]
    yield opened
    for portal in opened:
        portal.channel.close()


def test_orders_across_both_partitions_are_all_or_nothing_under_concurrency(
    portals: list[Portal],
) -> None:
    """30 buyers of one unit of a product in each partition, through both portals."""
    cid, pid_a, pid_b = next(ids(1)), next(ids(0)), next(ids(1))
    portals[0].client(cid)
    portals[0].product(pid_a, 10)
    portals[1].product(pid_b, 10)
    oids = [next(ids(n % 2)) for n in range(30)]
    with ThreadPoolExecutor(len(oids)) as buyers:
        replies = list(
            buyers.map(lambda n: portals[n % 2].buy(oids[n], cid, pid_a, pid_b), range(len(oids)))
        )
    codes = [reply.error for reply in replies]
    assert (codes.count(0), codes.count(409)) == (10, 20), codes
    bought = {oid for oid, code in zip(oids, codes, strict=True) if code == 0}
    for portal in portals:  # neither portal read these records before: no cache entry
        assert (portal.stock(pid_a), portal.stock(pid_b)) == (0, 0)
        listed = portal.orders_of(cid)
        assert {found.OID for found in listed} == bought
        for found in listed:
            assert sorted(line["PID"] for line in json.loads(found.data)["products"]) == sorted(
                [pid_a, pid_b]
            )


def test_a_client_with_an_order_in_another_partition_cannot_be_deleted(
    portals: list[Portal],
) -> None:
    cid, pid, oid = next(ids(1)), next(ids(0)), next(ids(0))
    portals[0].client(cid)
    portals[0].product(pid, 3)
    assert portals[1].buy(oid, cid, pid).error == 0
    refused = portals[0].admin.DeleteClient(pb.ID(ID=cid), timeout=TIMEOUT_S)
    assert refused.error == 409 and "order" in refused.description
    assert portals[1].admin.DeleteProduct(pb.ID(ID=pid), timeout=TIMEOUT_S).error == 409
    assert portals[1].order.DeleteOrder(pb.ID(ID=oid), timeout=TIMEOUT_S).error == 0
    assert portals[0].admin.DeleteClient(pb.ID(ID=cid), timeout=TIMEOUT_S).error == 0
    assert portals[0].stock(pid) == 3


def test_the_cache_serves_a_portal_its_own_writes_and_is_stale_for_others(
    portals: list[Portal],
) -> None:
    """docs/partitioned.md: a cached record is stale once another portal changed it."""
    mine, other = portals
    cid, pid = next(ids(1)), next(ids(0))
    mine.client(cid)
    mine.product(pid, 5)
    assert mine.stock(pid) == 5  # read once: cached
    hits = mine.status()["details"]["cache"]["hits"]
    assert mine.stock(pid) == 5
    assert mine.status()["details"]["cache"]["hits"] == hits + 1
    assert mine.buy(next(ids(0)), cid, pid).error == 0
    assert mine.stock(pid) == 4  # its own write dropped the entry
    assert other.stock(pid) == 4  # cached there now
    assert mine.buy(next(ids(1)), cid, pid).error == 0
    assert other.stock(pid) == 4  # stale: another portal changed it
    assert mine.stock(pid) == 3


@pytest.mark.parametrize("oid_partition", [0, 1], ids=["one partition", "two partitions"])
def test_a_refused_write_drops_the_stale_entries_it_was_decided_on(
    portals: list[Portal], oid_partition: int
) -> None:
    mine, other = portals
    cid, pid = next(ids(0)), next(ids(0))
    mine.client(cid)
    mine.product(pid, 5)
    assert other.stock(pid) == 5  # cached there
    assert mine.buy(next(ids(0)), cid, pid).error == 0
    assert other.stock(pid) == 5  # stale
    # The replicated stock (4) refuses 5 units, whatever the cache says; the refusal
    # also tells the portal that its copy may be old.
    data = json.dumps({"products": [{"PID": pid, "quantity": 5}]})
    order = pb.Order(OID=next(ids(oid_partition)), CID=cid, data=data)
    assert other.order.CreateOrder(order, timeout=TIMEOUT_S).error == 409
    assert other.stock(pid) == 4


def test_the_status_counts_each_partitions_hop_calls_and_steps(portals: list[Portal]) -> None:
    mine = portals[0]
    before = mine.status()["details"]["hop"]
    mine.client(next(ids(1)))
    mine.product(next(ids(0)), 5)
    after = mine.status()["details"]["hop"]
    assert sorted(after) == ["p0", "p1"]
    for partition in ("p0", "p1"):  # one write in each partition: one step, one call at least
        assert after[partition]["steps"] >= before[partition]["steps"] + 1
        assert 1 <= after[partition]["calls"] <= after[partition]["steps"]


def test_writes_go_on_when_each_partitions_leader_is_killed(
    cluster: Cluster, portals: list[Portal]
) -> None:
    leaders = portals[0].status()["details"]["leaders"]
    names = {node.address: node.name for node in cluster.nodes}
    killed = [names[leaders[group]] for group in ("p0", "p1")]
    cid, pid = next(ids(1)), next(ids(0))
    portals[0].client(cid)
    portals[0].product(pid, 10)
    try:
        for name in killed:
            cluster.kill(name, signal.SIGKILL)
        deadline, unavailable = time.monotonic() + 30, 0
        while (code := portals[1].buy(next(ids(0)), cid, pid).error) != 0:
            assert code == 503 and time.monotonic() < deadline, f"{code}, or no leader in time"
            unavailable += 1  # some of them may still commit (outcome unknown)
        assert portals[0].buy(next(ids(1)), cid, pid).error == 0
        assert 8 - unavailable <= portals[1].stock(pid) <= 8
    finally:
        for name in killed:
            cluster.start_node(name)


def test_a_portals_digest_follows_its_partitions_new_leader(
    cluster: Cluster, portals: list[Portal]
) -> None:
    watcher = portals[0]
    assert watcher.status()["digest"]  # it knows every partition's leader now
    leader = watcher.status()["details"]["leaders"]["p0"]
    (killed,) = [node.name for node in cluster.nodes if node.address == leader]
    cluster.kill(killed, signal.SIGKILL)
    try:
        # No client call through this portal teaches it the new leader: the digest's
        # own question must find it.
        deadline = time.monotonic() + 30
        while not (digest := watcher.status()["digest"]):
            assert time.monotonic() < deadline, "no digest from the new leader in 30 s"
            time.sleep(0.2)
        assert watcher.status()["details"]["leaders"]["p0"] != leader
        assert len(digest) == 64
    finally:
        cluster.start_node(killed)
