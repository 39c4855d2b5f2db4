"""mixed: a day at the shop. Customers browse, buy and change their minds; admins edit.

Setup (once per run): a catalog of 20 products `r<seed>-p1..20` with 10,000 units
each. Every user creates its own client on start, then takes these steps, by weight:

    10  browse a catalog product (RetrieveProduct)
     4  buy 1 to 3 catalog products, 1 or 2 units each (CreateOrder)
     3  list its orders (RetrieveClientOrders)
     2  look at one of its orders (RetrieveOrder)
     2  change one of its orders: set a line's quantity, 0 removes it (UpdateOrder)
     1  cancel one of its orders (DeleteOrder)
     1  look at its profile (RetrieveClient)
     1  edit its profile (UpdateClient)
     1  as an admin, add a product, or reprice one it added (CreateProduct, UpdateProduct)
     1  as an admin, retire a product it added (DeleteProduct)
     1  as an admin, register a guest client, or remove it (CreateClient, DeleteClient)

Every RPC of both portals is in the blend; the calls go round the servers.

    locust -f loadtests/mixed.py --headless -u 16 -r 16 -t 30s --servers HOST:PORT,...
"""

import itertools
from typing import Final

from loadtests.fixtures import put
from loadtests.grpc_user import GrpcUser, Shop, on_setup, step

CATALOG: Final = 20
STOCK: Final = 10_000


def catalog(prefix: str) -> list[str]:
    return [f"{prefix}-p{n}" for n in range(1, CATALOG + 1)]


def create_catalog(shop: Shop, prefix: str) -> None:
    for n, pid in enumerate(catalog(prefix), start=1):
        data = {"name": f"article {n}", "price": round(1.25 * n, 2), "quantity": STOCK}
        put(shop, "Product", pid, data)


on_setup(create_catalog)


class Customer(GrpcUser):
    def on_start(self) -> None:
        self.catalog = catalog(self.settings.prefix)
        self.cid = self.new_id("c")
        self.profile = itertools.count(1)
        put(self.shop, "Client", self.cid, {"name": f"Customer {self.label}", "visits": 0})
        self.orders: list[str] = []
        self.products: list[str] = []
        self.guest: str | None = None

    @step(10)
    def browse(self) -> None:
        self.shop.call("RetrieveProduct", ID=self.rng.choice(self.catalog))

    @step(4)
    def buy(self) -> None:
        oid = self.new_id("o")
        picked = self.rng.sample(self.catalog, self.rng.randint(1, 3))
        lines = [{"PID": pid, "quantity": self.rng.randint(1, 2)} for pid in picked]
        placed = self.shop.call("CreateOrder", OID=oid, CID=self.cid, data={"products": lines})
        if placed.outcome != "fail":
            self.orders.append(oid)

    @step(3)
    def list_orders(self) -> None:
        self.shop.call("RetrieveClientOrders", ID=self.cid)

    @step(2)
    def view_order(self) -> None:
        if self.orders:
            self.shop.call("RetrieveOrder", ID=self.rng.choice(self.orders))

    @step(2)
    def change_order(self) -> None:
        if self.orders:
            line = {"PID": self.rng.choice(self.catalog), "quantity": self.rng.randint(0, 2)}
            oid = self.rng.choice(self.orders)
            self.shop.call("UpdateOrder", OID=oid, CID=self.cid, data={"products": [line]})

    @step(1)
    def cancel(self) -> None:
        if self.orders:
            oid = self.orders.pop(self.rng.randrange(len(self.orders)))
            self.shop.call("DeleteOrder", ID=oid)

    @step(1)
    def view_profile(self) -> None:
        self.shop.call("RetrieveClient", ID=self.cid)

    @step(1)
    def edit_profile(self) -> None:
        data = {"name": f"Customer {self.label}", "visits": next(self.profile)}
        self.shop.call("UpdateClient", CID=self.cid, data=data)

    @step(1)
    def stock_product(self) -> None:
        data = {"name": "novelty", "price": round(self.rng.uniform(1, 20), 2), "quantity": 50}
        if self.products and self.rng.random() < 0.5:
            self.shop.call("UpdateProduct", PID=self.rng.choice(self.products), data=data)
            return
        pid = self.new_id("p")
        if self.shop.call("CreateProduct", PID=pid, data=data).outcome != "fail":
            self.products.append(pid)

    @step(1)
    def retire_product(self) -> None:
        if self.products:
            pid = self.products.pop(self.rng.randrange(len(self.products)))
            self.shop.call("DeleteProduct", ID=pid)

    @step(1)
    def guest_client(self) -> None:
        if self.guest is None:
            self.guest = self.new_id("g")
            self.shop.call("CreateClient", CID=self.guest, data={"name": "Guest"})
        else:
            self.shop.call("DeleteClient", ID=self.guest)
            self.guest = None
