"""read-your-writes: each user writes a record on one server, then reads it on another.

No shared setup. Every user creates its own client and product (1,000 units) on
start, then takes these steps, by weight; each writes on the server whose turn it
is and at once reads the same record back on the next server of the list (the same
server when there is only one):

    3  create a client, or update one of its clients (CreateClient or UpdateClient),
       then read it (RetrieveClient)
    1  set its product's price and stock (UpdateProduct), then read it (RetrieveProduct)
    1  order a unit of its product (CreateOrder), then read the order (RetrieveOrder)

A read that misses the write its own user just had acknowledged is stale: the
staleness checker counts such reads and how long after the write they came.

    locust -f loadtests/read_your_writes.py --headless -u 8 -r 8 -t 30s --servers A,B,C
"""

import itertools
from typing import Final

from loadtests.fixtures import put
from loadtests.grpc_user import GrpcUser, step
from loadtests.history import Operation

STOCK: Final = 1000


class Writer(GrpcUser):
    def on_start(self) -> None:
        self.cid = self.new_id("c")
        self.pid = self.new_id("p")
        self.clients = [self.cid]
        self.versions = itertools.count(1)
        put(self.shop, "Client", self.cid, {"name": f"Writer {self.label}", "version": 0})
        put(self.shop, "Product", self.pid, {"name": "ink", "price": 1.0, "quantity": STOCK})

    def read_back(self, write: Operation, portal: str, rpc: str, key: str) -> None:
        servers = self.shop.servers[portal]
        other = servers[(servers.index(write.server) + 1) % len(servers)]
        self.shop.call(rpc, ID=key, server=other)

    @step(3)
    def client(self) -> None:
        data = {"name": f"Writer {self.label}", "version": next(self.versions)}
        if self.rng.random() < 0.3:
            cid = self.new_id("c")
            write = self.shop.call("CreateClient", CID=cid, data=data)
            self.clients.append(cid)
        else:
            cid = self.rng.choice(self.clients)
            write = self.shop.call("UpdateClient", CID=cid, data=data)
        self.read_back(write, "admin", "RetrieveClient", cid)

    @step(1)
    def product(self) -> None:
        price = round(self.rng.uniform(1, 9), 2)
        data = {"name": "ink", "price": price, "quantity": self.rng.randint(STOCK // 2, STOCK)}
        write = self.shop.call("UpdateProduct", PID=self.pid, data=data)
        self.read_back(write, "admin", "RetrieveProduct", self.pid)

    @step(1)
    def order(self) -> None:
        oid = self.new_id("o")
        data = {"products": [{"PID": self.pid, "quantity": 1}]}
        write = self.shop.call("CreateOrder", OID=oid, CID=self.cid, data=data)
        self.read_back(write, "order", "RetrieveOrder", oid)
