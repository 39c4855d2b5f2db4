"""Messages from the wire: a redelivered one is applied once, a malformed one not at all."""

import json

from plugins.mqtt_broadcast.broker import Broker
from tests.plugins.mqtt_broadcast.conftest import StartCluster
from tests.plugins.mqtt_broadcast.support import Servers, publish_all, wait_until


def product_message(pid: str, quantity: int, message_id: str) -> bytes:
    data = {"name": f"product {pid}", "price": "1.00", "quantity": quantity}
    document = {"op": "ADD", "key": pid, "data": data, "id": message_id, "origin": "raw.0"}
    return json.dumps(document).encode()


def test_a_message_delivered_twice_is_applied_once(
    start_cluster: StartCluster, broker: Broker, prefix: str
) -> None:
    servers = Servers(start_cluster(("s1", "s2")))
    # The duplicate of an older update would put the older record back if applied.
    publish_all(
        broker.address,
        f"{prefix}/products",
        [
            product_message("dup-p", 5, "raw.0:1"),
            product_message("dup-p", 7, "raw.0:2"),
            product_message("dup-p", 5, "raw.0:1"),
            product_message("dup-last", 1, "raw.0:3"),
        ],
    )
    # One publisher's messages on one topic arrive in order: after the last, all are in.
    for address in servers.addresses:

        def arrived(address: str = address) -> bool:
            return servers.product(address, "dup-last") is not None

        wait_until(arrived, f"the last message reaches {address}")
        product = servers.product(address, "dup-p")
        assert product is not None and product["quantity"] == 7
        assert servers.details(address)["duplicates_dropped"] == 1
    servers.close()


def test_a_malformed_message_is_dropped_and_the_server_carries_on(
    start_cluster: StartCluster, broker: Broker, prefix: str
) -> None:
    servers = Servers(start_cluster(("s1",)))
    (address,) = servers.addresses
    bad_order = {"op": "ADD", "key": "o1", "data": {"products": "none"}, "id": "raw.0:9"}
    publish_all(broker.address, f"{prefix}/orders", [b"{not json", json.dumps(bad_order).encode()])
    publish_all(broker.address, f"{prefix}/products", [product_message("fine-p", 3, "raw.0:10")])
    wait_until(lambda: servers.product(address, "fine-p") is not None, "the good message")
    assert servers.details(address)["malformed_dropped"] == 2
    servers.close()
