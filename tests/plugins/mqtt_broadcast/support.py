"""Talking to mqtt-broadcast servers by address, across one or more clusters."""

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import grpc
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.config import parse_address
from core.launcher import Cluster
from core.portals.control import fetch_status
from proto import api_pb2 as pb
from proto import api_pb2_grpc

TIMEOUT_S = 10.0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} s: {what}")
        time.sleep(0.02)


class Servers:
    """Stubs and status for every server of the given clusters."""

    def __init__(self, *clusters: Cluster) -> None:
        self.addresses = [address for cluster in clusters for address in cluster.addresses()]
        self._channels = {address: grpc.insecure_channel(address) for address in self.addresses}

    def admin(self, address: str) -> Any:
        return api_pb2_grpc.AdminPortalStub(self._channels[address])

    def order(self, address: str) -> Any:
        return api_pb2_grpc.OrderPortalStub(self._channels[address])

    def status(self, address: str) -> dict[str, Any]:
        return fetch_status(self._channels[address])

    def details(self, address: str) -> dict[str, Any]:
        details: dict[str, Any] = self.status(address)["details"]
        return details

    def digests(self) -> dict[str, str]:
        return {address: self.status(address)["digest"] for address in self.addresses}

    def settle(self, timeout: float = 15.0) -> str:
        """Wait until every server holds the same state; returns its digest."""
        wait_until(lambda: len(set(self.digests().values())) == 1, "replicas converge", timeout)
        return next(iter(self.digests().values()))

    def product(self, address: str, pid: str) -> dict[str, Any] | None:
        reply = self.admin(address).RetrieveProduct(pb.ID(ID=pid), timeout=TIMEOUT_S)
        return json.loads(reply.data) if reply.PID != "0" else None

    def client(self, address: str, cid: str) -> dict[str, Any] | None:
        reply = self.admin(address).RetrieveClient(pb.ID(ID=cid), timeout=TIMEOUT_S)
        return json.loads(reply.data) if reply.CID != "0" else None

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()


def create_client(servers: Servers, address: str, cid: str) -> pb.Reply:
    request = pb.Client(CID=cid, data=json.dumps({"name": f"client {cid}"}))
    reply: pb.Reply = servers.admin(address).CreateClient(request, timeout=TIMEOUT_S)
    return reply


def create_product(servers: Servers, address: str, pid: str, quantity: int) -> pb.Reply:
    data = {"name": f"product {pid}", "price": "2.50", "quantity": quantity}
    request = pb.Product(PID=pid, data=json.dumps(data))
    reply: pb.Reply = servers.admin(address).CreateProduct(request, timeout=TIMEOUT_S)
    return reply


def create_order(
    servers: Servers, address: str, oid: str, cid: str, lines: Iterable[tuple[str, int]]
) -> pb.Reply:
    data = {"products": [{"PID": pid, "quantity": quantity} for pid, quantity in lines]}
    request = pb.Order(OID=oid, CID=cid, data=json.dumps(data))
    reply: pb.Reply = servers.order(address).CreateOrder(request, timeout=TIMEOUT_S)
    return reply


def ok(reply: pb.Reply) -> None:
    assert reply.error == 0, f"expected success, got {reply.error}: {reply.description}"


def publish_all(broker: str, topic: str, payloads: list[bytes], retain: bool = False) -> None:
    """Publish in order from one raw client, each confirmed by the broker (QoS 1)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="raw-publisher")
    client.connect(*parse_address(broker))
    client.loop_start()
    try:
        for payload in payloads:
            client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(TIMEOUT_S)
    finally:
        client.disconnect()
        client.loop_stop()
