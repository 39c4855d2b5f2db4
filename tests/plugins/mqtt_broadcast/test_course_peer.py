"""A course server beside ours on one broker: its messages in, ours out (wire = course).

The course's server is played by `CoursePeer`, which publishes exactly the messages
their Part 1 servers publish and reads ours the way theirs read (see `course_shapes`
for the files each shape comes from). test_course_servers.py runs their real servers.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from plugins.mqtt_broadcast.broker import Broker
from proto import api_pb2 as pb
from tests.plugins.mqtt_broadcast import course_shapes as course
from tests.plugins.mqtt_broadcast.conftest import StartCluster
from tests.plugins.mqtt_broadcast.support import (
    TIMEOUT_S,
    Servers,
    create_order,
    ok,
    wait_until,
)


@pytest.fixture
def peer(broker: Broker, prefix: str) -> Iterator[course.CoursePeer]:
    peer = course.CoursePeer(broker.address, prefix)
    yield peer
    peer.close()


def _order(servers: Servers, address: str, oid: str) -> dict[str, Any] | None:
    reply = servers.order(address).RetrieveOrder(pb.ID(ID=oid), timeout=TIMEOUT_S)
    return json.loads(reply.data) if reply.OID != "0" else None


def test_ours_apply_a_course_servers_clients_products_and_orders(
    start_cluster: StartCluster, peer: course.CoursePeer
) -> None:
    servers = Servers(start_cluster(("s1", "s2"), wire="course"))
    # Their CreateClient, two CreateProducts, then their CreateOrder: stock, then order.
    peer.publish("clients", course.client_added("7", "Ana"))
    peer.publish("products", course.product_message("ADD", "p1", "caneta", "2.50", 8))
    peer.publish("products", course.product_message("ADD", "p2", "lapis", "3", 4))
    peer.publish("products", course.product_message("UPDATE", "p1", "caneta", "2.50", 5))
    peer.publish("orders", course.order_added("o1", "7", [("p1", "2.50", 3)]))

    line = {"PID": "p1", "name": "caneta", "quantity": 3, "price": 2.5}
    expected = {"OID": "o1", "CID": "7", "products": [line], "total": 7.5}
    wait_until(
        lambda: all(_order(servers, a, "o1") == expected for a in servers.addresses),
        "both servers show the course's order as ours",
    )
    for address in servers.addresses:
        assert servers.client(address, "7") == {"name": "Ana"}  # what their user sent
        assert servers.product(address, "p1") == {
            "name": "caneta",
            "price": "2.50",
            "quantity": "5",
        }
        assert servers.details(address)["foreign_applied"] == 5
    servers.settle()

    # Our rules see their order: its product and client cannot go; its stock comes back.
    (s1, s2) = servers.addresses
    assert servers.admin(s1).DeleteProduct(pb.ID(ID="p1"), timeout=TIMEOUT_S).error == 409
    assert servers.admin(s1).DeleteClient(pb.ID(ID="7"), timeout=TIMEOUT_S).error == 409
    ok(servers.order(s2).DeleteOrder(pb.ID(ID="o1"), timeout=TIMEOUT_S))
    wait_until(lambda: "o1" not in peer.course.tables["orders"], "the course drops the order")
    assert peer.course.stock("p1") == 8
    # Their DELETE, no data: ours forget the product too.
    peer.publish("products", course.deleted("p2"))
    wait_until(
        lambda: all(servers.product(a, "p2") is None for a in servers.addresses),
        "both servers apply the course's delete",
    )
    servers.close()


def test_a_course_server_reads_ours_as_its_own_and_ours_return_records_as_sent(
    start_cluster: StartCluster, peer: course.CoursePeer
) -> None:
    servers = Servers(start_cluster(("s1", "s2"), wire="course"))
    (s1, s2) = servers.addresses
    client = {"name": "Ana", "since": 2020}
    product = {"name": "caneta", "price": 2.5, "quantity": 8, "cor": "azul"}
    ok(servers.admin(s1).CreateClient(pb.Client(CID="7", data=json.dumps(client)), timeout=10))
    ok(servers.admin(s1).CreateProduct(pb.Product(PID="p1", data=json.dumps(product)), timeout=10))
    servers.settle()
    ok(create_order(servers, s2, "o1", "7", [("p1", 3)]))

    wait_until(lambda: "o1" in peer.course.tables["orders"], "the course stores our order")
    assert peer.course.retrieve_client("7") == ("7", {"nome": "Ana"})
    assert peer.course.stock("p1") == 5
    assert peer.course.order_lines("o1") == ("o1", "7", [("p1", 3, "2.5")])
    # SPEC.md: extra fields verbatim, numbers in the type they were sent in; no CID added.
    servers.settle()
    for address in servers.addresses:
        assert servers.client(address, "7") == client
        assert servers.product(address, "p1") == {**product, "quantity": 5}
    servers.close()
