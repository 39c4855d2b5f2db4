"""Concurrent calls from many threads: every answer is one SPEC.md allows, stock never oversold."""

import json
import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from core.strategy import StrategyDescriptor
from proto import api_pb2 as pb
from tests.contract.support import (
    EXPECTED_CODES,
    client_json,
    client_orders,
    make_client,
    make_product,
    order,
    order_json,
    product,
    product_json,
    record,
)
from tests.support.api import TIMEOUT_S, Api

pytestmark = pytest.mark.contract

THREADS = 16
RUN_SECONDS = 5.0
BUYERS = 40
UNITS = 10


@dataclass(frozen=True)
class Pool:
    """IDs the workers draw from, so their calls collide on the same records."""

    clients: list[str]
    products: list[str]
    orders: list[str]

    @classmethod
    def named(cls, prefix: str) -> "Pool":
        return cls(
            clients=[f"{prefix}-c{n}" for n in range(3)],
            products=[f"{prefix}-p{n}" for n in range(3)],
            orders=[f"{prefix}-o{n}" for n in range(6)],
        )


def workload(pool: Pool, pick: random.Random) -> list[tuple[str, str, Any]]:
    """(portal, RPC, request) choices: every RPC, with data that is valid more often than not."""
    cid, pid, oid = pick.choice(pool.clients), pick.choice(pool.products), pick.choice(pool.orders)
    items = order_json(*((p, pick.randint(0, 3)) for p in pick.sample(pool.products, 2)))
    return [
        ("admin", "CreateClient", pb.Client(CID=cid, data=client_json())),
        ("admin", "UpdateClient", pb.Client(CID=cid, data=client_json(f"n{pick.random()}"))),
        ("admin", "RetrieveClient", pb.ID(ID=cid)),
        ("admin", "DeleteClient", pb.ID(ID=cid)),
        ("admin", "CreateProduct", pb.Product(PID=pid, data=product_json(100))),
        ("admin", "UpdateProduct", pb.Product(PID=pid, data=product_json(pick.randint(0, 20)))),
        ("admin", "RetrieveProduct", pb.ID(ID=pid)),
        ("admin", "DeleteProduct", pb.ID(ID=pid)),
        ("order", "CreateOrder", pb.Order(OID=oid, CID=cid, data=items)),
        ("order", "CreateOrder", pb.Order(OID=oid, CID=cid, data=items)),
        ("order", "UpdateOrder", pb.Order(OID=oid, CID=cid, data=items)),
        ("order", "UpdateOrder", pb.Order(OID=oid, CID=cid, data="not json")),
        ("order", "RetrieveOrder", pb.ID(ID=oid)),
        ("order", "DeleteOrder", pb.ID(ID=oid)),
        ("order", "RetrieveClientOrders", pb.ID(ID=cid)),
    ]


def problems_in(rpc: str, request: Any, answer: Any) -> list[str]:
    """What is wrong with one answer, judged by SPEC.md alone."""
    if isinstance(answer, pb.Reply):
        if answer.error not in EXPECTED_CODES:
            return [f"{rpc} answered {answer.error}: {answer.description}"]
        if answer.error and not answer.description.strip():
            return [f"{rpc} refused with {answer.error} and no description"]
        return []
    found = answer if isinstance(answer, list) else [answer]
    wrong = []
    for message in found:
        key = getattr(message, message.DESCRIPTOR.fields[0].name)
        if key == "0" and not isinstance(answer, list):
            if message.data or getattr(message, "CID", "0") != "0":
                wrong.append(f"{rpc} {request.ID} answered a missing record with {message}")
            continue
        data = json.loads(message.data)
        if rpc == "RetrieveProduct" and int(data["quantity"]) < 0:
            wrong.append(f"{rpc} {request.ID} read negative stock {data['quantity']}")
        if rpc == "RetrieveClientOrders" and message.CID != request.ID:
            wrong.append(f"{rpc} {request.ID} streamed {message.OID} of {message.CID}")
        if rpc != "RetrieveClientOrders" and key != request.ID:
            wrong.append(f"{rpc} {request.ID} answered record {key}")
    return wrong


def run_mixed(api: Api, address: str, pool: Pool, seed: int, deadline: float) -> dict[str, Any]:
    pick = random.Random(seed)
    stubs = {portal: api.stub(portal, address) for portal in ("admin", "order")}
    calls: dict[str, int] = {}
    successes = 0
    wrong: list[str] = []
    while time.monotonic() < deadline:
        portal, rpc, request = pick.choice(workload(pool, pick))
        try:
            answer = getattr(stubs[portal], rpc)(request, timeout=TIMEOUT_S)
            answer = list(answer) if rpc == "RetrieveClientOrders" else answer
        except grpc.RpcError as error:
            wrong.append(f"{rpc} failed in transport: {error.code()}: {error.details()}")
            continue
        calls[rpc] = calls.get(rpc, 0) + 1
        successes += isinstance(answer, pb.Reply) and answer.error == 0
        wrong.extend(problems_in(rpc, request, answer))
    return {"calls": calls, "successes": successes, "wrong": wrong}


def test_mixed_calls_from_many_threads_get_only_answers_spec_allows(
    api: Api, strategy: StrategyDescriptor, ids: Iterator[str]
) -> None:
    addresses = api.cluster.addresses()
    # An eventual strategy only promises convergence when no two servers write the same
    # record concurrently, so there each server gets its own records; a linearizable one
    # gets one shared pool through every server.
    eventual = strategy.consistency != "linearizable"
    pools = [Pool.named(next(ids)) for _ in (addresses if eventual else addresses[:1])]
    deadline = time.monotonic() + RUN_SECONDS
    with ThreadPoolExecutor(THREADS) as workers:
        runs = [
            workers.submit(
                run_mixed,
                api,
                addresses[n % len(addresses)],
                pools[n % len(pools)],
                n,
                deadline,
            )
            for n in range(THREADS)
        ]
        results = [run.result() for run in runs]
    wrong = [problem for result in results for problem in result["wrong"]]
    assert wrong == [], wrong[:20]
    called = {rpc for result in results for rpc in result["calls"]}
    assert len(called) == 13, f"some RPCs were never called: {sorted(called)}"
    assert sum(result["successes"] for result in results) > 0
    if eventual:
        api.settle()


@dataclass
class StockWatch:
    """Reads the stock over and over while buyers buy, keeping every value seen."""

    stub: Any
    pid: str
    seen: list[int] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def watch(self) -> None:
        while True:  # at least one read, however fast the buyers are
            found = self.stub.RetrieveProduct(pb.ID(ID=self.pid), timeout=TIMEOUT_S)
            self.seen.append(int(json.loads(found.data)["quantity"]))
            if self.stop.is_set():
                return


def test_concurrent_buyers_never_oversell(
    api: Api, strategy: StrategyDescriptor, ids: Iterator[str]
) -> None:
    cid = make_client(api, ids)
    pid = make_product(api, ids, UNITS)
    addresses = api.cluster.addresses("order")
    if strategy.consistency != "linearizable":
        # An eventual strategy validates each order against one server's replica only,
        # so it promises no oversell for buyers of one server; that is what we check.
        addresses = addresses[:1]
    oids = [next(ids) for _ in range(BUYERS)]
    start = threading.Barrier(BUYERS)

    def buyer(n: int) -> int:
        stub = api.stub("order", addresses[n % len(addresses)])
        request = pb.Order(OID=oids[n], CID=cid, data=order_json((pid, 1)))
        start.wait(timeout=60)
        reply: pb.Reply = stub.CreateOrder(request, timeout=TIMEOUT_S)
        return reply.error

    readers = [api.stub("admin", address) for address in api.cluster.addresses("admin")]
    watches = [StockWatch(stub, pid) for stub in readers]
    with ThreadPoolExecutor(len(watches)) as watching:
        watchers = [watching.submit(watch.watch) for watch in watches]
        try:
            with ThreadPoolExecutor(BUYERS) as buying:
                codes = list(buying.map(buyer, range(BUYERS)))
        finally:
            for watch in watches:
                watch.stop.set()
        for watcher in watchers:
            watcher.result()  # a failed read fails the test
    assert (codes.count(0), codes.count(409)) == (UNITS, BUYERS - UNITS), codes
    seen = [value for watch in watches for value in watch.seen]
    assert min(seen) >= 0, f"read negative stock: {min(seen)}"
    assert int(record(product(api, pid))["quantity"]) == 0
    for stub in readers:  # every replica, once settled (api reads settled above)
        assert int(json.loads(stub.RetrieveProduct(pb.ID(ID=pid)).data)["quantity"]) == 0
    bought = {oid for oid, code in zip(oids, codes, strict=True) if code == 0}
    assert {found.OID for found in client_orders(api, cid)} == bought
    assert all(order(api, oid).OID == "0" for oid in set(oids) - bought)
