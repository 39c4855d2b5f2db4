"""crud: the AdminPortal's create, read, update and delete of clients and products.

Setup (once per run): 8 shared clients `r<seed>-c1..8` and 8 shared products
`r<seed>-p1..8` with 100 units each. Every user then takes these steps, by weight:

    4  read a client: a shared one or one of its own (RetrieveClient)
    3  read a product: a shared one or one of its own (RetrieveProduct)
    2  create a client of its own (CreateClient)
    2  update a client: a shared one or one of its own (UpdateClient)
    1  delete one of its clients (DeleteClient; a missing one, refused, if it has none)
    1  create a product of its own (CreateProduct)
    2  update a product's price and stock: shared or its own (UpdateProduct)
    2  read-modify-write a shared client: read it (RetrieveClient), then write back
       what it read with its "version" one higher and its own label as "writer"
       (UpdateClient)
    1  read-modify-write a shared product the same way (RetrieveProduct, UpdateProduct)
    1  delete one of its products (DeleteProduct; a missing one, refused, if it has none)
    1  a call the service must refuse: create a shared client again (409), update a
       client that never existed (404), a product with a negative stock (400), or
       delete a product that never existed (404)

Every user writes the shared records at once, each write with a value no other
write has, so their histories are what the linearizability checker searches; with
calls going round the servers, a read often follows a write made on another one. A
read-modify-write derived from a read that missed an acknowledged write overwrites
that update: the lost-updates checker counts those (a race between two of them, both
reads before either write, is legal).

    locust -f loadtests/crud.py --headless -u 16 -r 16 -t 30s --servers HOST:PORT,...
"""

import itertools
from typing import Any, Final

from loadtests.checkers.updates import version
from loadtests.fixtures import put
from loadtests.grpc_user import GrpcUser, Shop, on_setup, step

SHARED: Final = 8
STOCK: Final = 100


def shared_clients(prefix: str) -> list[str]:
    return [f"{prefix}-c{n}" for n in range(1, SHARED + 1)]


def shared_products(prefix: str) -> list[str]:
    return [f"{prefix}-p{n}" for n in range(1, SHARED + 1)]


def create_shared(shop: Shop, prefix: str) -> None:
    for n, cid in enumerate(shared_clients(prefix), start=1):
        put(shop, "Client", cid, {"name": f"Shared client {n}"})
    for n, pid in enumerate(shared_products(prefix), start=1):
        put(shop, "Product", pid, {"name": f"shared {n}", "price": 2.5, "quantity": STOCK})


on_setup(create_shared)


class CrudUser(GrpcUser):
    def on_start(self) -> None:
        prefix = self.settings.prefix
        self.shared_clients = shared_clients(prefix)
        self.shared_products = shared_products(prefix)
        self.clients: list[str] = []
        self.products: list[str] = []
        self.versions = itertools.count(1)

    def client_data(self) -> dict[str, Any]:
        return {"name": f"Client of {self.label}", "version": next(self.versions)}

    def product_data(self) -> dict[str, Any]:
        price = round(self.rng.uniform(0.5, 50), 2)
        return {
            "name": f"item of {self.label}",
            "price": price,
            "quantity": self.rng.randint(0, 100),
        }

    @step(4)
    def read_client(self) -> None:
        self.shop.call("RetrieveClient", ID=self.rng.choice(self.shared_clients + self.clients))

    @step(3)
    def read_product(self) -> None:
        pid = self.rng.choice(self.shared_products + self.products)
        self.shop.call("RetrieveProduct", ID=pid)

    @step(2)
    def create_client(self) -> None:
        cid = self.new_id("c")
        if self.shop.call("CreateClient", CID=cid, data=self.client_data()).outcome != "fail":
            self.clients.append(cid)

    @step(2)
    def update_client(self) -> None:
        cid = self.rng.choice(self.shared_clients + self.clients)
        self.shop.call("UpdateClient", CID=cid, data=self.client_data())

    @step(1)
    def delete_client(self) -> None:
        cid = self.clients.pop(self.rng.randrange(len(self.clients))) if self.clients else None
        self.shop.call("DeleteClient", ID=cid or self.new_id("missing-c"))

    @step(1)
    def create_product(self) -> None:
        pid = self.new_id("p")
        if self.shop.call("CreateProduct", PID=pid, data=self.product_data()).outcome != "fail":
            self.products.append(pid)

    @step(2)
    def update_product(self) -> None:
        pid = self.rng.choice(self.shared_products + self.products)
        self.shop.call("UpdateProduct", PID=pid, data=self.product_data())

    def read_modify_write(self, kind: str, key: str) -> None:
        read = self.shop.call(f"Retrieve{kind}", ID=key)
        data = read.result.get("data")  # None when it failed or found nothing
        based = version(data)
        if isinstance(data, dict) and based is not None:
            written = {**data, "version": based + 1, "writer": self.label}
            self.shop.call(f"Update{kind}", data=written, **{f"{kind[0]}ID": key})

    @step(2)
    def read_modify_write_client(self) -> None:
        self.read_modify_write("Client", self.rng.choice(self.shared_clients))

    @step(1)
    def read_modify_write_product(self) -> None:
        self.read_modify_write("Product", self.rng.choice(self.shared_products))

    @step(1)
    def delete_product(self) -> None:
        pid = self.products.pop(self.rng.randrange(len(self.products))) if self.products else None
        self.shop.call("DeleteProduct", ID=pid or self.new_id("missing-p"))

    @step(1)
    def refused_call(self) -> None:
        match self.rng.randrange(4):
            case 0:
                cid = self.rng.choice(self.shared_clients)
                self.shop.call("CreateClient", CID=cid, data=self.client_data())
            case 1:
                self.shop.call(
                    "UpdateClient", CID=self.new_id("missing-c"), data=self.client_data()
                )
            case 2:
                data = {"name": "broken", "price": 1, "quantity": -1}
                self.shop.call("CreateProduct", PID=self.new_id("p"), data=data)
            case _:
                self.shop.call("DeleteProduct", ID=self.new_id("missing-p"))
