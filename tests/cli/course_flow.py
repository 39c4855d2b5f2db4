"""The course's test script (`test/test_script.py` of the seed's repository), step by step.

The same calls in the same order with the same request forms: AdminPortal on
localhost:55006, OrderPortal on localhost:55005, JSON built with `json.dumps`, prices
and quantities as numbers and as strings, orders in the older list form. Like the
script, no step waits for replicas between calls, except on a strategy the caller
says is only eventually consistent (see `run`). Each step is checked where
the script checks (or prints) something; `PREFIX` picks the method path: "" for
`/AdminPortal/...`, "project." for the course's `package project;` copy.
"""

import json
import time
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from core import layouts
from core.launcher import listening
from core.portals.control import fetch_status
from proto import api_pb2 as pb

COURSE_PORTS = (layouts.COURSE_ADMIN_PORT, layouts.COURSE_ORDER_PORT)
ADMIN_ADDRESS = "localhost:55006"
ORDER_ADDRESS = "localhost:55005"
TIMEOUT_S = 10.0
SETTLE_TIMEOUT_S = 20.0  # generous: a loaded 2-core machine delays MQTT delivery


def require_free(*ports: int) -> None:
    """Skip, saying why, when something else already listens on a port the layout needs."""
    busy = [port for port in ports if listening(f"127.0.0.1:{port}")]
    if busy:
        pytest.skip(f"ports {busy} are taken by another process; the layout needs them")


def run_script(prefix: str, eventually_consistent: bool = False) -> None:
    """The whole script against the course's ports (`run`), its channels closed after."""
    portals = Portals(prefix)
    try:
        run(portals, eventually_consistent)
    finally:
        portals.close()


class Portals:
    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._admin = grpc.insecure_channel(ADMIN_ADDRESS)
        self._order = grpc.insecure_channel(ORDER_ADDRESS)

    def close(self) -> None:
        self._admin.close()
        self._order.close()

    def call(self, rpc: str, request: Message) -> Any:
        service = "OrderPortal" if "Order" in rpc else "AdminPortal"
        channel = self._order if service == "OrderPortal" else self._admin
        method = pb.DESCRIPTOR.services_by_name[service].methods_by_name[rpc]
        response: Callable[[bytes], Any] = getattr(pb, method.output_type.name).FromString
        call = channel.unary_unary(
            f"/{self._prefix}{service}/{rpc}",
            request_serializer=type(request).SerializeToString,
            response_deserializer=response,
        )
        return call(request, timeout=TIMEOUT_S)

    def wait_until_the_order_server_has_the_admin_servers_writes(self) -> None:
        """Wait, with a deadline, until both servers' state digests are equal.

        The order server serves no AdminPortal, so the test cannot ask it for client 2;
        its `/testbed.Control/Status` digest hashes its whole state, so equal digests
        mean it holds every record the admin server holds. A write that never reaches
        it fails here, naming both digests, rather than being retried away.
        """
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            admin, order = (fetch_status(c)["digest"] for c in (self._admin, self._order))
            if admin == order:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the order server's state (digest {order[:12]}) still differs from the "
                    f"admin server's ({admin[:12]}) {SETTLE_TIMEOUT_S} s after its writes"
                )
            time.sleep(0.02)


def _lines(portals: Portals, oid: str) -> list[tuple[str, str, object, object]]:
    """What the script's render_retrieve_order prints of each line: PID, name, quantity, price."""
    order = portals.call("RetrieveOrder", pb.ID(ID=oid))
    data = json.loads(order.data)
    return [(p["PID"], p["name"], p["quantity"], p["price"]) for p in data["products"]]


def _expect_lines(
    portals: Portals, oid: str, expected: list[tuple[str, str, object, object]]
) -> None:
    shown = _lines(portals, oid)
    assert shown == expected, f"order {oid} shows {shown}, not {expected}"


def run(portals: Portals, eventually_consistent: bool = False) -> None:
    """Every step of the script; an AssertionError names the step that would have failed.

    With `eventually_consistent`, the flow waits for the order server to hold the admin
    server's writes before its first call to the order server: the one place where the
    script's steps cross servers.
    """
    cid = "44"
    assert portals.call(
        "CreateClient", pb.Client(CID=cid, data=json.dumps({"name": "Lewis Hamilton"}))
    ).error == 0, "CreateClient 44"  # fmt: skip
    shown = portals.call("RetrieveClient", pb.ID(ID="44"))
    assert shown.CID != "0", "RetrieveClient 44"
    assert json.loads(shown.data) == {"name": "Lewis Hamilton"}
    assert portals.call(
        "UpdateClient", pb.Client(CID=cid, data=json.dumps({"name": "Lewis Carl Hamilton"}))
    ).error == 0, "UpdateClient 44"  # fmt: skip
    assert portals.call("DeleteClient", pb.ID(ID=cid)).error == 0, "DeleteClient 44"

    pid = "13"
    car = {"name": "Carro W13", "price": 1250, "quantity": 5}
    assert portals.call("CreateProduct", pb.Product(PID=pid, data=json.dumps(car))).error == 0
    shown = portals.call("RetrieveProduct", pb.ID(ID=pid))
    assert len(shown.PID) != 0, "RetrieveProduct 13"
    assert json.loads(shown.data) == car
    faster = {"name": "Carro Mercedes W13", "price": 3450, "quantity": 10}
    assert portals.call(
        "UpdateProduct", pb.Product(PID=pid, data=json.dumps(faster))
    ).error == 0, "UpdateProduct 13"  # fmt: skip
    assert portals.call("DeleteProduct", pb.ID(ID=pid)).error == 0, "DeleteProduct 13"

    cid, pid1, pid2, oid = "2", "1", "2", "10"
    # The script ignores these three replies; the order steps depend on them.
    portals.call("CreateClient", pb.Client(CID=cid, data=json.dumps({"name": "Dustin"})))
    pen = {"name": "Caneta", "price": "2.5", "quantity": "8"}
    portals.call("CreateProduct", pb.Product(PID=pid1, data=json.dumps(pen)))
    pencil = {"name": "Lapis", "price": "3", "quantity": "9"}
    portals.call("CreateProduct", pb.Product(PID=pid2, data=json.dumps(pencil)))
    if eventually_consistent:
        portals.wait_until_the_order_server_has_the_admin_servers_writes()

    def order(items: list[dict[str, str]], rpc: str = "UpdateOrder") -> Any:
        return portals.call(rpc, pb.Order(OID=oid, CID=cid, data=json.dumps(items)))

    created = order([{"id": pid1, "quantity": "3"}], "CreateOrder")
    assert created.error == 0, f"CreateOrder 10: {created.description}"
    order([{"id": pid1, "quantity": "2"}])
    _expect_lines(portals, oid, [(pid1, "Caneta", 2, 2.5)])
    order([{"id": pid1, "quantity": "4"}])
    _expect_lines(portals, oid, [(pid1, "Caneta", 4, 2.5)])
    assert order([{"id": pid2, "quantity": "5"}]).error == 0, "UpdateOrder: add PID 2"
    _expect_lines(portals, oid, [(pid1, "Caneta", 4, 2.5), (pid2, "Lapis", 5, 3)])
    assert order([{"id": pid1, "quantity": "0"}]).error == 0, "UpdateOrder: remove PID 1"
    _expect_lines(portals, oid, [(pid2, "Lapis", 5, 3)])
    twice = [{"id": pid2, "quantity": "2"}, {"id": pid2, "quantity": "4"}]
    assert order(twice).error == 0, "UpdateOrder: PID 2 twice"
    _expect_lines(portals, oid, [(pid2, "Lapis", 6, 3)])
