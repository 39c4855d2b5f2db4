"""Clients of the partitioned strategy's portals, for the tests that start its clusters.

With 2 partitions an ID of digits lives in partition int(ID) % 2: `ids` gives fresh
ones in either.
"""

import itertools
import json
import random
from collections.abc import Iterator
from typing import Any

import grpc

from core.portals.control import fetch_status
from proto import api_pb2 as pb
from proto import api_pb2_grpc

TIMEOUT_S = 15.0
_numbers = itertools.count(random.randrange(10**6, 10**7) * 100)


def ids(partition: int) -> Iterator[str]:
    """Fresh IDs of digits in `partition` (of 2)."""
    return (str(n) for n in _numbers if n % 2 == partition)


class Portal:
    def __init__(self, address: str) -> None:
        self.channel = grpc.insecure_channel(address)
        self.admin = api_pb2_grpc.AdminPortalStub(self.channel)
        self.order = api_pb2_grpc.OrderPortalStub(self.channel)

    def client(self, cid: str) -> None:
        reply = self.admin.CreateClient(
            pb.Client(CID=cid, data='{"name": "ana"}'), timeout=TIMEOUT_S
        )
        assert reply.error == 0, reply.description

    def product(self, pid: str, stock: int) -> None:
        data = json.dumps({"name": "pen", "price": 2.5, "quantity": stock})
        reply = self.admin.CreateProduct(pb.Product(PID=pid, data=data), timeout=TIMEOUT_S)
        assert reply.error == 0, reply.description

    def buy(self, oid: str, cid: str, *pids: str) -> pb.Reply:
        data = json.dumps({"products": [{"PID": pid, "quantity": 1} for pid in pids]})
        reply: pb.Reply = self.order.CreateOrder(
            pb.Order(OID=oid, CID=cid, data=data), timeout=TIMEOUT_S
        )
        return reply

    def stock(self, pid: str) -> int:
        found = self.admin.RetrieveProduct(pb.ID(ID=pid), timeout=TIMEOUT_S)
        return int(json.loads(found.data)["quantity"])

    def orders_of(self, cid: str) -> list[Any]:
        return list(self.order.RetrieveClientOrders(pb.ID(ID=cid), timeout=TIMEOUT_S))

    def status(self) -> dict[str, Any]:
        return fetch_status(self.channel)
