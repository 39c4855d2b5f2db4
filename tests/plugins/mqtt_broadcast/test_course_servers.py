"""The course's own Part 1 servers, unmodified, beside one of ours (wire = course).

Runs only where TESTBED_COURSE_PART1 names a checkout of the course's repository at
its Part 1 (nothing of theirs is in this repository):

    git clone https://github.com/Alba-22/projeto-sistemas-distribuidos course
    git -C course checkout 36f15e5
    TESTBED_COURSE_PART1=$PWD/course pytest tests/plugins/mqtt_broadcast/test_course_servers.py

Their servers run in this venv through `course_shim` (paho 2 in their paho 1 calls,
the test's broker instead of localhost:1884, gRPC on loopback). Their topics have no
prefix, so these tests have a Mosquitto of their own.
"""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from core.config import parse_address
from core.launcher import listening
from core.ports import free_ports
from plugins.mqtt_broadcast import broker as brokers
from proto import api_pb2 as pb
from proto import api_pb2_grpc
from tests.plugins.mqtt_broadcast import course_shim
from tests.plugins.mqtt_broadcast.conftest import StartCluster, start_mosquitto
from tests.plugins.mqtt_broadcast.support import TIMEOUT_S, Servers, ok, wait_until

CHECKOUT = os.environ.get("TESTBED_COURSE_PART1", "")
SERVERS = {"admin": "admin/admin_portal_server.py", "order": "order/order_portal_server.py"}


def _checkout() -> Path:
    if not CHECKOUT:
        pytest.skip(
            "TESTBED_COURSE_PART1 is not set: it names a checkout of the course's repository "
            "at its Part 1 (see this module's docstring)"
        )
    root = Path(CHECKOUT)
    for path in SERVERS.values():
        source = root / path
        if not source.is_file() or "paho" not in source.read_text():
            pytest.skip(f"{source} is not the course's Part 1 server (git checkout 36f15e5)")
    return root


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[brokers.Broker]:
    broker = start_mosquitto(tmp_path / "mosquitto")
    yield broker
    broker.stop()


@pytest.fixture
def prefix() -> str:
    return ""  # their topics


class CourseServer:
    def __init__(self, root: Path, portal: str, broker: str, log: Path) -> None:
        (self.port,) = free_ports(1)
        self.log = log
        module = SERVERS[portal].removesuffix(".py").replace("/", ".")
        _, broker_port = parse_address(broker)
        command = [sys.executable, "-u", course_shim.__file__, str(root), module]
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [*command, str(broker_port), str(self.port)],
                cwd=root, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        deadline = time.monotonic() + 30
        while not listening(f"127.0.0.1:{self.port}"):
            assert self.process.poll() is None, f"the course's {portal} server ended: {self.tail()}"
            assert time.monotonic() < deadline, f"the course's {portal} server: {self.tail()}"
            time.sleep(0.05)

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])

    def stop(self) -> None:
        self.channel.close()
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def theirs(broker: brokers.Broker, tmp_path: Path) -> Iterator[dict[str, CourseServer]]:
    root = _checkout()
    started: dict[str, CourseServer] = {}
    try:
        for portal in SERVERS:
            started[portal] = CourseServer(root, portal, broker.address, tmp_path / portal)
        yield started
        for portal, server in started.items():
            assert server.process.poll() is None, f"their {portal} server died: {server.tail()}"
    finally:
        for server in started.values():
            server.stop()


def _their_admin(theirs: dict[str, CourseServer]) -> Any:
    return api_pb2_grpc.AdminPortalStub(theirs["admin"].channel)


def _their_order(theirs: dict[str, CourseServer]) -> Any:
    return api_pb2_grpc.OrderPortalStub(theirs["order"].channel)


def _their_client(theirs: dict[str, CourseServer], cid: str) -> tuple[str, str]:
    reply = _their_admin(theirs).RetrieveClient(pb.ID(ID=cid), timeout=TIMEOUT_S)
    return reply.CID, reply.data


def _their_order_server_knows(theirs: dict[str, CourseServer], cid: str) -> bool:
    """Their RetrieveClientOrders ends cleanly for a client it holds and fails otherwise
    (it yields None for an unknown client): the one read of clients their order server has."""
    try:
        stream = _their_order(theirs).RetrieveClientOrders(pb.ID(ID=cid), timeout=TIMEOUT_S)
        list(stream)
    except grpc.RpcError:
        return False
    return True


def _theirs_have(theirs: dict[str, CourseServer], cid: str) -> bool:
    return _their_client(theirs, cid)[0] == cid and _their_order_server_knows(theirs, cid)


def _wait_until_theirs_listen(servers: Servers, ours: str, theirs: dict[str, CourseServer]) -> None:
    """Their servers subscribe while starting, without telling: a probe client created on
    ours, retried under a new CID, shows when both hear the broker."""
    for attempt in range(10):
        cid = f"probe{attempt}"
        request = pb.Client(CID=cid, data=json.dumps({"name": "probe"}))
        ok(servers.admin(ours).CreateClient(request, timeout=TIMEOUT_S))
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if _theirs_have(theirs, cid):
                return
            time.sleep(0.05)
    raise AssertionError(
        f"the course's servers never applied our messages:\n{theirs['admin'].tail()}"
    )


def test_the_courses_servers_and_ours_share_clients_products_and_orders(
    start_cluster: StartCluster, theirs: dict[str, CourseServer]
) -> None:
    servers = Servers(start_cluster(("ours",), wire="course"))
    (ours,) = servers.addresses
    _wait_until_theirs_listen(servers, ours, theirs)

    # Ours -> theirs: their RetrieveClient and RetrieveProduct read our records.
    ok(servers.admin(ours).CreateClient(pb.Client(CID="1", data='{"name": "Paulo"}'), timeout=10))
    pen = {"name": "caneta", "price": 2.5, "quantity": 10}
    ok(servers.admin(ours).CreateProduct(pb.Product(PID="1", data=json.dumps(pen)), timeout=10))
    wait_until(lambda: _their_client(theirs, "1") == ("1", '{"nome": "Paulo"}'), "their client 1")
    shown = _their_admin(theirs).RetrieveProduct(pb.ID(ID="1"), timeout=TIMEOUT_S)
    assert json.loads(shown.data) == {"nome": "caneta", "preço": "2.5", "quantidade": "10"}
    wait_until(lambda: _their_order_server_knows(theirs, "1"), "their order server has client 1")

    # Theirs -> ours: their CreateOrder (their list form) takes stock and stores the order.
    items = json.dumps([{"id": "1", "quantity": "3"}])
    placed = _their_order(theirs).CreateOrder(pb.Order(OID="1", CID="1", data=items), timeout=10)
    assert placed.error == 0, placed.description
    line = {"PID": "1", "name": "caneta", "quantity": 3, "price": 2.5}
    expected = {"OID": "1", "CID": "1", "products": [line], "total": 7.5}
    wait_until(
        lambda: (
            json.loads(servers.order(ours).RetrieveOrder(pb.ID(ID="1"), timeout=10).data or "0")
            == expected
        ),
        "ours show their order",
    )
    assert servers.product(ours, "1") == {"name": "caneta", "price": "2.5", "quantity": "7"}
    added = _their_admin(theirs).CreateClient(
        pb.Client(CID="2", data='{"name": "Ana"}'), timeout=10
    )
    assert added.error == 0, added.description
    wait_until(lambda: servers.client(ours, "2") == {"name": "Ana"}, "ours show their client")

    # Ours -> theirs again: our order on their client; our delete of their order.
    order = pb.Order(OID="2", CID="2", data=json.dumps({"products": [{"PID": "1", "quantity": 2}]}))
    ok(servers.order(ours).CreateOrder(order, timeout=TIMEOUT_S))

    def their_order(oid: str) -> tuple[str, Any]:
        reply = _their_order(theirs).RetrieveOrder(pb.ID(ID=oid), timeout=TIMEOUT_S)
        return reply.OID, json.loads(reply.data) if reply.data else None

    mine = {"products": [{"PID": "1", "name": "caneta", "quantity": "2", "price": "2.5"}]}
    wait_until(lambda: their_order("2") == ("2", mine), "their RetrieveOrder shows our order")
    ok(servers.order(ours).DeleteOrder(pb.ID(ID="1"), timeout=TIMEOUT_S))
    wait_until(lambda: their_order("1") == ("0", None), "their server drops the order we deleted")
    shown = _their_admin(theirs).RetrieveProduct(pb.ID(ID="1"), timeout=TIMEOUT_S)
    assert json.loads(shown.data)["quantidade"] == "8"  # 10 - 3 - 2 + 3
    servers.close()
