"""Many buyers of a few units, through every server at once: the log serializes them."""

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from core.launcher import Cluster
from proto import api_pb2 as pb
from tests.plugins.pysyncobj_raft.support import admin, converged, order, stock

BUYERS = 40
UNITS = 10


def test_forty_buyers_through_all_servers_get_exactly_ten_units(
    shared_cluster: Cluster, ids: Iterator[str]
) -> None:
    names = [server.name for server in shared_cluster.servers]
    pid = next(ids)
    product = json.dumps({"name": "caneta", "price": "2.50", "quantity": UNITS})
    created = admin(shared_cluster, names[0], "CreateProduct", pb.Product(PID=pid, data=product))
    assert created.error == 0, created.description
    buyers = [next(ids) for _ in range(BUYERS)]
    for n, cid in enumerate(buyers):
        request = pb.Client(CID=cid, data='{"name": "buyer"}')
        assert admin(shared_cluster, names[n % len(names)], "CreateClient", request).error == 0
    items = json.dumps({"products": [{"PID": pid, "quantity": 1}]})
    start = threading.Barrier(BUYERS)

    def buy(n: int) -> pb.Reply:
        request = pb.Order(OID=f"{buyers[n]}-order", CID=buyers[n], data=items)
        start.wait()
        reply: pb.Reply = order(shared_cluster, names[n % len(names)], "CreateOrder", request)
        return reply

    with ThreadPoolExecutor(BUYERS) as pool:
        replies = list(pool.map(buy, range(BUYERS)))

    codes = [reply.error for reply in replies]
    assert codes.count(0) == UNITS, [(r.error, r.description) for r in replies if r.error]
    assert codes.count(409) == BUYERS - UNITS, sorted(set(codes))
    assert [stock(shared_cluster, name, pid) for name in names] == [0] * len(names)
    converged(shared_cluster, names)
