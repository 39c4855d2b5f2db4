"""The course's Part 1 servers as the tests see them: the messages they publish, and
how they read what they store.

Derived from github.com/Alba-22/projeto-sistemas-distribuidos at commit 36f15e5 (its
Part 1), written here from reading it, not copied:

- admin/admin_portal_server.py: CreateClient publishes on `clients`
  `{"op": "ADD", "key": CID, "data": {"CID": CID, "name": name}}` (UpdateClient the
  same with "UPDATE"); CreateProduct on `products` `{"op": "ADD", "key": PID, "data":
  {"PID", "name", "price": str(price), "quantity": str(quantity)}}`; the deletes
  `{"op": "DELETE", "key": ID}` with no data. RetrieveClient answers
  `Client(CID=record["CID"], data={"nome": record["name"]})`, RetrieveProduct reads
  record["PID"], ["name"], ["price"], ["quantity"].
- order/order_portal_server.py: CreateOrder publishes, for each line, a product UPDATE
  with the stock lowered (`{"PID", "name", "price", "quantity": str(stock)}`), then on
  `orders` `{"op": "ADD", "key": OID, "data": {"OID", "CID", "products": [{"PID",
  "price": the product's price, "quantity": str(quantity)}]}}`. RetrieveOrder reads
  order["OID"], order["CID"] and each line's "PID", checks stock with
  int(product["quantity"]).
- utils/on_receive_message.py: every server stores `json.dumps(message["data"])` under
  the message's key in the table named by the topic (and deletes the key on DELETE).
- They publish with paho's `publish(topic, payload)`: QoS 0, no other field.
"""

import json
import threading
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.config import parse_address
from plugins.mqtt_broadcast.messages import topic

TABLES = ("clients", "products", "orders")
TIMEOUT_S = 10.0


def client_added(cid: str, name: str) -> dict[str, Any]:
    return {"op": "ADD", "key": cid, "data": {"CID": cid, "name": name}}


def product_message(op: str, pid: str, name: str, price: str, quantity: int) -> dict[str, Any]:
    data = {"PID": pid, "name": name, "price": price, "quantity": str(quantity)}
    return {"op": op, "key": pid, "data": data}


def order_added(oid: str, cid: str, lines: list[tuple[str, str, int]]) -> dict[str, Any]:
    """`lines`: (PID, the product's price as stored, quantity)."""
    products = [{"PID": pid, "price": price, "quantity": str(n)} for pid, price, n in lines]
    return {"op": "ADD", "key": oid, "data": {"OID": oid, "CID": cid, "products": products}}


def deleted(key: str) -> dict[str, Any]:
    return {"op": "DELETE", "key": key}


class CourseTables:
    """A course server's hash_map, fed with messages as theirs are, read as theirs read."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, str]] = {table: {} for table in TABLES}

    def receive(self, table: str, payload: bytes | bytearray) -> None:
        message = json.loads(payload)
        if message["op"] == "DELETE":
            del self.tables[table][message["key"]]
        else:
            self.tables[table][message["key"]] = json.dumps(message["data"])

    def record(self, table: str, key: str) -> dict[str, Any] | None:
        stored = self.tables[table].get(key)
        return None if stored is None else dict(json.loads(stored))

    def retrieve_client(self, cid: str) -> tuple[str, dict[str, Any]]:
        """What their RetrieveClient answers: the CID read from the record, and its data."""
        client = self.record("clients", cid)
        if client is None:
            return "0", {}
        return client["CID"], {"nome": client["name"]}

    def stock(self, pid: str) -> int:
        """The stock their CreateOrder checks a line against."""
        product = self.record("products", pid)
        assert product is not None, f"no product {pid!r} on the course's side"
        assert product["PID"] == pid
        return int(product["quantity"])

    def order_lines(self, oid: str) -> tuple[str, str, list[tuple[str, int, str]]]:
        """What their RetrieveOrder reads: OID, CID, and each line's PID, quantity, price."""
        order = self.record("orders", oid)
        assert order is not None, f"no order {oid!r} on the course's side"
        lines = [(line["PID"], int(line["quantity"]), line["price"]) for line in order["products"]]
        return order["OID"], order["CID"], lines


class CoursePeer:
    """A stand-in for one of their servers on the broker: it publishes their messages
    as they do (QoS 0, nothing else) and keeps `course` as they keep their tables.

    The test thread reads `course` while paho's thread feeds it: each side does one
    dict operation at a time, as their servers do with their own threads.
    """

    def __init__(self, broker: str, prefix: str) -> None:
        self.course = CourseTables()
        self._names = {table: topic(prefix, table) for table in TABLES}
        self._tables = {name: table for table, name in self._names.items()}
        subscribed = threading.Event()
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="course-peer")
        self._client.on_message = lambda _c, _u, m: self.course.receive(
            self._tables[m.topic], m.payload
        )
        self._client.on_subscribe = lambda *_: subscribed.set()
        self._client.connect(*parse_address(broker))
        self._client.loop_start()
        self._client.subscribe([(name, 0) for name in self._names.values()])
        assert subscribed.wait(TIMEOUT_S), "the course peer did not get its subscription"

    def publish(self, table: str, message: dict[str, Any]) -> None:
        self._client.publish(self._names[table], json.dumps(message)).wait_for_publish(TIMEOUT_S)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
