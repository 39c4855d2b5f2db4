"""The testbed must see what the seed's design allows: conflicting concurrent writes.

`publish_delay` holds each write between validation and publication, so two orders
sent at once to two servers are both validated against the same stock: 10 units,
orders of 6 and 3. Each server accepts its order; neither knows of the other's.
"""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from proto import api_pb2 as pb
from tests.plugins.mqtt_broadcast.conftest import StartCluster
from tests.plugins.mqtt_broadcast.support import (
    Servers,
    create_client,
    create_order,
    create_product,
    ok,
    wait_until,
)

STOCK = 10
ORDERS = (("o-a", 6), ("o-b", 3))
DELAY_S = 1.0  # far longer than the gap between the two concurrent requests


def prepare(servers: Servers) -> None:
    ok(create_client(servers, servers.addresses[0], "buyer"))
    ok(create_product(servers, servers.addresses[0], "pen", STOCK))
    servers.settle()


def order_concurrently(servers: Servers) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = pool.map(
            lambda n: create_order(
                servers, servers.addresses[n], ORDERS[n][0], "buyer", [("pen", ORDERS[n][1])]
            ),
            range(2),
        )
        for reply in replies:
            ok(reply)


def ordered_units(servers: Servers, address: str) -> int:
    stub = servers.order(address)
    orders = list(stub.RetrieveClientOrders(pb.ID(ID="buyer")))
    return sum(line["quantity"] for o in orders for line in json.loads(o.data)["products"])


@pytest.mark.parametrize("own_effects", ["both", "receipt"])
def test_concurrent_orders_on_two_servers_oversell_the_stock(
    start_cluster: StartCluster, own_effects: str
) -> None:
    servers = Servers(start_cluster(("s1", "s2"), publish_delay=DELAY_S, own_effects=own_effects))
    prepare(servers)
    order_concurrently(servers)
    servers.settle()  # they converge: every server applied both in the broker's order
    for address in servers.addresses:
        left = servers.product(address, "pen")
        assert left is not None
        sold = ordered_units(servers, address)
        assert sold == 9
        # Each order wrote the stock it computed from 10: the last one published wins.
        assert left["quantity"] in (STOCK - 6, STOCK - 3)
        assert sold + left["quantity"] > STOCK, "more units sold and left than ever existed"
    servers.close()


def test_with_local_own_effects_the_replicas_never_converge(start_cluster: StartCluster) -> None:
    servers = Servers(start_cluster(("s1", "s2"), publish_delay=DELAY_S, own_effects="local"))
    prepare(servers)
    applied: dict[str, int] = {a: servers.details(a)["messages_applied"] for a in servers.addresses}
    order_concurrently(servers)

    for address in servers.addresses:
        # Each server applies the other's two effects (stock, order) after its own.
        def received_the_other(address: str = address) -> bool:
            return bool(servers.details(address)["messages_applied"] == applied[address] + 2)

        wait_until(received_the_other, f"the other server's order reaches {address}")
    first, second = servers.addresses
    left = {a: (servers.product(a, "pen") or {}).get("quantity") for a in servers.addresses}
    assert left[first] == STOCK - 3, "s1 applied s2's stock (7) last"
    assert left[second] == STOCK - 6, "s2 applied s1's stock (4) last"
    digests = servers.digests()
    assert digests[first] != digests[second]
    servers.close()
