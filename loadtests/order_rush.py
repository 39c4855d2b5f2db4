"""order-rush: many buyers race for a few products with little stock. The oversell test.

Setup (once per run): 3 products `r<seed>-p1..3` with 20 units each. Every user
creates its own client on start, then takes these steps, by weight:

    10  buy 1 to 3 units of one of the products (CreateOrder)
     3  cancel one of its orders, which returns its units (DeleteOrder)
     2  read a product's stock (RetrieveProduct)
     1  read one of its orders (RetrieveOrder)

Orders go round every order server in turn, so concurrent buys of the last units
land on different replicas. Buys outrun cancels: the stock stays near zero all run
long and most buys are refused for want of stock (409, an expected outcome, which
Locust counts as a success). A strategy that validates a buy against a stale copy
sells units it does not have: the stock checker counts them as oversold.

    locust -f loadtests/order_rush.py --headless -u 32 -r 32 -t 30s --servers HOST:PORT,...
"""

from typing import Final

from loadtests.fixtures import put
from loadtests.grpc_user import GrpcUser, Shop, on_setup, step

PRODUCTS: Final = 3
STOCK: Final = 20


def products(prefix: str) -> list[str]:
    return [f"{prefix}-p{n}" for n in range(1, PRODUCTS + 1)]


def create_products(shop: Shop, prefix: str) -> None:
    for n, pid in enumerate(products(prefix), start=1):
        put(shop, "Product", pid, {"name": f"rare item {n}", "price": 99.9, "quantity": STOCK})


on_setup(create_products)


class Buyer(GrpcUser):
    def on_start(self) -> None:
        self.products = products(self.settings.prefix)
        self.cid = self.new_id("c")
        put(self.shop, "Client", self.cid, {"name": f"Buyer {self.label}"})
        self.orders: list[str] = []

    @step(10)
    def buy(self) -> None:
        oid = self.new_id("o")
        line = {"PID": self.rng.choice(self.products), "quantity": self.rng.randint(1, 3)}
        placed = self.shop.call("CreateOrder", OID=oid, CID=self.cid, data={"products": [line]})
        if placed.outcome != "fail":
            self.orders.append(oid)

    @step(3)
    def cancel(self) -> None:
        if self.orders:
            oid = self.orders.pop(self.rng.randrange(len(self.orders)))
            self.shop.call("DeleteOrder", ID=oid)

    @step(2)
    def read_stock(self) -> None:
        self.shop.call("RetrieveProduct", ID=self.rng.choice(self.products))

    @step(1)
    def read_order(self) -> None:
        if self.orders:
            self.shop.call("RetrieveOrder", ID=self.rng.choice(self.orders))
