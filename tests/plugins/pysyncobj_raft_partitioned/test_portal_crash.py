"""A portal that dies in the middle of an order: no half order, no lock held for long.

The first tests play a portal's coordinator by hand over the replicas' Partition
service (proto/storage.proto): Prepare on both partitions, maybe the decision, maybe
one Commit, then nothing more, as a dead portal. Recovery on each partition's leader
must then resolve the transaction once `lock_timeout` has passed: abort it when no
decision was recorded, finish both partitions' writes when a commit was. The last
one SIGKILLs a real portal while cross-partition orders are in flight through it.

They start their own cluster (2 partitions x 3 replicas, 2 portals, a short lock
timeout), so they run only when the selected strategy is pysyncobj-raft-partitioned.
"""

import json
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from core.config import ClusterConfig, NodeConfig
from core.domain import commands as c
from core.domain import decide
from core.domain.partitions import Key, by_partition, footprint, view, writes
from core.launcher import Cluster
from core.portals.control import fetch_status
from core.strategy import StrategyDescriptor
from plugins.pysyncobj_raft_partitioned.portal import wire
from plugins.pysyncobj_raft_partitioned.portal.coordinator import decider_of
from plugins.pysyncobj_raft_partitioned.portal.settings import REPLICA
from plugins.pysyncobj_raft_partitioned.replica.options import STRATEGY
from proto import api_pb2 as pb
from proto import storage_pb2 as spb
from proto import storage_pb2_grpc
from tests.plugins.pysyncobj_raft_partitioned.portals import TIMEOUT_S, Portal, ids

PARTITIONS = 2  # the strategy's default, which the cluster keeps
COMMAND_TIMEOUT_S = 2.0  # the portals' `timeout`: short, but not so short a loaded machine 503s
LOCK_TIMEOUT_S = 3.0  # above the command timeout, as the options' rule requires
# A lock must be gone within the lock timeout plus a recovery round; the rest is slack
# for a loaded 2-core machine (an entry through the log, a slow round).
RELEASED_S = LOCK_TIMEOUT_S + 20.0
UNRESOLVED = (spb.NO_LEADER, spb.IN_DOUBT)  # the calls made here may be repeated


@pytest.fixture(scope="module")
def cluster(
    strategy: StrategyDescriptor, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    if strategy.name != STRATEGY:
        pytest.skip(f"runs real {STRATEGY} clusters; the selected strategy is {strategy.name}")
    config = ClusterConfig(
        strategy=STRATEGY,
        options={"timeout": COMMAND_TIMEOUT_S, "lock_timeout": LOCK_TIMEOUT_S},
        nodes=(NodeConfig("s1", port=0), NodeConfig("s2", port=0)),
    )
    with Cluster(config, workdir=tmp_path_factory.mktemp("crash"), ready_timeout=60) as up:
        yield up


@pytest.fixture(scope="module")
def portal(cluster: Cluster) -> Iterator[Portal]:
    """The portal that stays up: s2 (s1 is the one killed)."""
    opened = Portal(cluster.node("s2").address)
    yield opened
    opened.channel.close()


class Partitions:
    """The replicas' Partition service, as a portal's coordinator calls it."""

    def __init__(self, cluster: Cluster) -> None:
        self.replicas = [node for node in cluster.nodes if node.config.kind == REPLICA]
        self._channels = {node.name: grpc.insecure_channel(node.address) for node in self.replicas}

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()

    def call(self, partition: int, method: str, request: Any) -> Any:
        """Through any replica of `partition` (a follower forwards to its leader), retried
        while the log gives no answer: Prepare and Decide may be repeated for one txid."""
        deadline = time.monotonic() + 30
        while True:
            for node in self.replicas:
                if node.config.settings["partition"] != partition:
                    continue
                stub = storage_pb2_grpc.PartitionStub(self._channels[node.name])
                try:
                    reply = getattr(stub, method)(request, timeout=TIMEOUT_S)
                except grpc.RpcError:
                    continue
                if reply.status not in UNRESOLVED:
                    return reply
            assert time.monotonic() < deadline, f"partition {partition} never answered {method}"
            time.sleep(0.1)

    def prepared(self) -> int:
        """The transactions prepared on any replica now."""
        total = 0
        for node in self.replicas:
            total += fetch_status(self._channels[node.name])["details"]["prepared_transactions"]
        return total

    def units_held(self, partition: int, pid: str) -> int:
        """The index record of the units orders hold of a product (none: 0)."""
        key: Key = ("units_held", pid)
        request = spb.ReadRequest(keys=[wire.key_message(key)], linearizable=True)
        reply = self.call(partition, "Read", request)
        assert reply.status == spb.OK
        return int(wire.records_of(reply.records)[key] or 0)

    def await_released(self, since: float) -> float:
        """Wait until no replica holds a prepared transaction; seconds from `since`."""
        while self.prepared() != 0:
            waited = time.monotonic() - since
            assert waited < RELEASED_S, f"locks still held {waited:.1f} s later"
            time.sleep(0.1)
        return time.monotonic() - since


@pytest.fixture(scope="module")
def partitions(cluster: Cluster) -> Iterator[Partitions]:
    opened = Partitions(cluster)
    yield opened
    opened.close()


@dataclass
class DeadPortal:
    """What a portal's coordinator does for one CreateOrder, stopped where a test says."""

    partitions: Partitions
    txid: str
    command: c.CreateOrder
    records: dict[Key, Any] = field(default_factory=dict)

    @property
    def decider(self) -> int:
        return decider_of(self.command, PARTITIONS)

    def prepare(self) -> None:
        for partition, keys in sorted(
            by_partition(dict.fromkeys(footprint(self.command)), PARTITIONS).items()
        ):
            request = spb.PrepareRequest(
                txid=self.txid,
                keys=[wire.key_message(k) for k in sorted(keys)],
                decider=self.decider,
            )
            reply = self.partitions.call(partition, "Prepare", request)
            assert reply.status == spb.OK, reply.detail
            self.records.update(wire.records_of(reply.records))

    def changes(self) -> dict[int, dict[Key, Any]]:
        """Each partition's writes, decided by the domain on the records read."""
        outcome = decide(self.command, view(self.records))
        assert outcome.reply.ok, outcome.reply
        return by_partition(writes(self.records, outcome.effects), PARTITIONS)

    def decide_commit(self) -> None:
        request = spb.DecideRequest(
            txid=self.txid,
            commit=True,
            writes=[
                spb.PartitionWrites(partition=part, writes=wire.record_messages(changes))
                for part, changes in sorted(self.changes().items())
            ],
        )
        assert self.partitions.call(self.decider, "Decide", request).commit is True

    def commit(self, partition: int) -> spb.Status:
        request = spb.CommitRequest(
            txid=self.txid, writes=wire.record_messages(self.changes()[partition])
        )
        status: spb.Status = self.partitions.call(partition, "Commit", request).status
        return status


def an_order(portal: Portal) -> tuple[c.CreateOrder, str, str]:
    """A new client (partition 1), products A (0) and B (1) of 5 units, an order of
    one of each with its OID in partition 0: every step touches both partitions."""
    cid, pid_a, pid_b, oid = next(ids(1)), next(ids(0)), next(ids(1)), next(ids(0))
    portal.client(cid)
    portal.product(pid_a, 5)
    portal.product(pid_b, 5)
    return c.CreateOrder(oid, cid, ((pid_a, 1), (pid_b, 1))), pid_a, pid_b


def order_lines(portal: Portal, oid: str) -> list[str] | None:
    found = portal.order.RetrieveOrder(pb.ID(ID=oid), timeout=TIMEOUT_S)
    if found.OID != oid:
        return None
    return sorted(line["PID"] for line in json.loads(found.data)["products"])


def test_an_order_left_undecided_is_aborted_after_the_lock_timeout(
    portal: Portal, partitions: Partitions
) -> None:
    command, pid_a, pid_b = an_order(portal)
    dead = DeadPortal(partitions, f"dead-{command.oid}", command)
    prepared = time.monotonic()
    dead.prepare()
    probe = spb.PrepareRequest(txid="probe", keys=[wire.key_message(("products", pid_a))])
    assert partitions.call(0, "Prepare", probe).status == spb.LOCKED, "the prepare took no lock"

    waited = partitions.await_released(prepared)
    assert waited >= LOCK_TIMEOUT_S, f"locks released after {waited:.2f} s, before the lock timeout"
    assert order_lines(portal, command.oid) is None
    assert portal.orders_of(command.cid) == []
    assert (portal.stock(pid_a), portal.stock(pid_b)) == (5, 5)
    # The portal coming back late: recovery recorded the abort, so it cannot commit.
    late = spb.DecideRequest(txid=dead.txid, commit=True)
    assert partitions.call(dead.decider, "Decide", late).commit is False
    commit = spb.CommitRequest(txid=dead.txid)
    assert partitions.call(1, "Commit", commit).status == spb.UNKNOWN_TX
    # The same order, through a portal: its keys are free and nothing of it was stored.
    assert portal.buy(command.oid, command.cid, pid_a, pid_b).error == 0
    assert (portal.stock(pid_a), portal.stock(pid_b)) == (4, 4)


@pytest.mark.parametrize("old_commit", [False, True], ids=["decided", "decider-committed-too"])
def test_an_order_whose_commit_was_recorded_is_finished_in_both_partitions(
    portal: Portal, partitions: Partitions, old_commit: bool
) -> None:
    command, pid_a, pid_b = an_order(portal)
    dead = DeadPortal(partitions, f"dead-{command.oid}", command)
    prepared = time.monotonic()
    dead.prepare()
    dead.decide_commit()  # carries out the decider's part; recovery finishes the other's
    if old_commit:  # as a coordinator from before that did: it finds nothing to do
        assert dead.commit(dead.decider) == spb.UNKNOWN_TX

    partitions.await_released(prepared)
    assert order_lines(portal, command.oid) == sorted([pid_a, pid_b])
    assert [found.OID for found in portal.orders_of(command.cid)] == [command.oid]
    assert (portal.stock(pid_a), portal.stock(pid_b)) == (4, 4)
    # Both products are held by the order now, in their own partitions.
    for pid in (pid_a, pid_b):
        refused = portal.admin.DeleteProduct(pb.ID(ID=pid), timeout=TIMEOUT_S)
        assert refused.error == 409, refused.description


BUYERS = 12  # threads, each ordering from its own client and products
STOCK = 1000


@dataclass
class Buyer:
    cid: str
    pid_a: str  # partition 0
    pid_b: str  # partition 1
    sent: list[str] = field(default_factory=list)  # OIDs, in order
    acked: set[str] = field(default_factory=set)

    def seed(self, portal: Portal) -> None:
        portal.client(self.cid)
        portal.product(self.pid_a, STOCK)
        portal.product(self.pid_b, STOCK)

    def run(self, address: str, stop: threading.Event) -> None:
        through = Portal(address)
        try:
            while not stop.is_set():
                oid = next(ids(len(self.sent) % 2))  # the decider in either partition
                self.sent.append(oid)
                try:
                    reply = through.buy(oid, self.cid, self.pid_a, self.pid_b)
                except grpc.RpcError:  # the portal died: this order's outcome is unknown
                    return
                if reply.error == 0:
                    self.acked.add(oid)
        finally:
            through.channel.close()


def test_a_portal_killed_during_cross_partition_orders_leaves_each_all_or_nothing(
    cluster: Cluster, portal: Portal, partitions: Partitions
) -> None:
    buyers = [Buyer(next(ids(1)), next(ids(0)), next(ids(1))) for _ in range(BUYERS)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda buyer: buyer.seed(portal), buyers))
    stop = threading.Event()
    doomed = cluster.node("s1").address
    threads = [threading.Thread(target=b.run, args=(doomed, stop)) for b in buyers]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while sum(len(b.acked) for b in buyers) < 2 * BUYERS:
            assert time.monotonic() < deadline, "too few orders acknowledged before the kill"
            time.sleep(0.05)
        cluster.kill("s1", signal.SIGKILL)
        killed = time.monotonic()
        # Well within the lock timeout: what the dead portal left prepared is still there.
        assert partitions.prepared() > 0, "no transaction was in flight when the portal died"
        for thread in threads:
            thread.join(timeout=2 * TIMEOUT_S)
        assert not any(thread.is_alive() for thread in threads)

        partitions.await_released(killed)
        for b in buyers:
            present = {oid for oid in b.sent if order_lines(portal, oid) is not None}
            assert b.acked <= present, f"acknowledged orders lost: {sorted(b.acked - present)}"
            for oid in present:
                assert order_lines(portal, oid) == sorted([b.pid_a, b.pid_b])
            assert {found.OID for found in portal.orders_of(b.cid)} == present
            assert portal.stock(b.pid_a) == STOCK - len(present)
            assert portal.stock(b.pid_b) == STOCK - len(present)
            assert (
                partitions.units_held(0, b.pid_a)
                == partitions.units_held(1, b.pid_b)
                == len(present)
            )
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        if not cluster.node("s1").running:
            cluster.start_node("s1")
