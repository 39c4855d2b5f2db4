"""What the contract tests share: building requests, checking replies, reading records.

Every check goes through the portals' wire (tests/support/api.py), so it holds for any
strategy. On an eventual strategy a write is followed by `api.settle()`: the next call
may go to another server, which must already have applied it.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from proto import api_pb2 as pb
from tests.support.api import Api

# Every Reply.error SPEC.md allows; 500 is a bug, never an expected outcome.
EXPECTED_CODES = frozenset({0, 400, 403, 404, 409, 503})
MAX_DATA_BYTES = 64 * 1024

# IDs SPEC.md refuses (400), each built from a fresh ID so only the named flaw is wrong.
BAD_IDS: dict[str, Callable[[str], str]] = {
    "empty": lambda fresh: "",
    "257 characters": lambda fresh: fresh.ljust(257, "x"),
    "newline": lambda fresh: f"{fresh}\nx",
    "nul": lambda fresh: f"{fresh}\x00x",
    "delete character": lambda fresh: f"{fresh}\x7f",
    "reserved 0": lambda fresh: "0",
}


def accepted(api: Api, reply: pb.Reply) -> None:
    assert reply.error == 0, f"expected success, got {reply.error}: {reply.description}"
    if api.eventual:
        api.settle()


def refused(reply: pb.Reply, code: int) -> None:
    assert reply.error == code, f"expected {code}, got {reply.error}: {reply.description}"
    assert reply.description.strip(), f"refusal {code} has no description"


def state_digest(api: Api) -> str:
    """The whole cluster's state, once every replica holds the same one."""
    api.settle()
    return next(iter(api.digests().values()))


@contextmanager
def changes_nothing(api: Api, *reads: Callable[[], object]) -> Iterator[None]:
    """The block (a refused call) leaves the cluster's state and every read as they were."""
    before = (state_digest(api), [read() for read in reads])
    yield
    after = (state_digest(api), [read() for read in reads])
    assert after[1] == before[1], "a refused call changed what the reads return"
    assert after[0] == before[0], "a refused call changed the state"


def padded_json(record: dict[str, Any], size: int) -> str:
    """`record` as JSON of exactly `size` UTF-8 bytes, padded in a "padding" field."""
    base = json.dumps({**record, "padding": ""})
    return json.dumps({**record, "padding": "x" * (size - len(base.encode()))})


def client_json(name: str = "Paulo", **extra: object) -> str:
    return json.dumps({"name": name, **extra})


def product_json(quantity: object = 8, price: object = "2.50", **extra: object) -> str:
    return json.dumps({"name": "caneta", "price": price, "quantity": quantity, **extra})


def order_json(*lines: tuple[str, object]) -> str:
    """The course form: {"products": [{"PID", "quantity"}, ...]}."""
    return json.dumps({"products": [{"PID": pid, "quantity": q} for pid, q in lines]})


def old_order_json(*lines: tuple[str, object]) -> str:
    """The older list form: [{"id", "quantity"}, ...] with quantities as strings."""
    return json.dumps([{"id": pid, "quantity": str(q)} for pid, q in lines])


def make_client(api: Api, ids: Iterator[str], **extra: str) -> str:
    cid = next(ids)
    accepted(api, api.CreateClient(pb.Client(CID=cid, data=client_json(**extra))))
    return cid


def make_product(api: Api, ids: Iterator[str], quantity: object = 8, price: object = "2.50") -> str:
    pid = next(ids)
    accepted(api, api.CreateProduct(pb.Product(PID=pid, data=product_json(quantity, price))))
    return pid


def make_order(api: Api, ids: Iterator[str], cid: str, *lines: tuple[str, object]) -> str:
    oid = next(ids)
    accepted(api, api.CreateOrder(pb.Order(OID=oid, CID=cid, data=order_json(*lines))))
    return oid


def client(api: Api, cid: str) -> pb.Client:
    found: pb.Client = api.RetrieveClient(pb.ID(ID=cid))
    return found


def product(api: Api, pid: str) -> pb.Product:
    found: pb.Product = api.RetrieveProduct(pb.ID(ID=pid))
    return found


def order(api: Api, oid: str) -> pb.Order:
    found: pb.Order = api.RetrieveOrder(pb.ID(ID=oid))
    return found


def client_orders(api: Api, cid: str) -> list[pb.Order]:
    found: list[pb.Order] = api.RetrieveClientOrders(pb.ID(ID=cid))
    return found


def record(message: pb.Client | pb.Product | pb.Order) -> Any:
    assert message.data, f"no record: {message}"
    return json.loads(message.data)


def in_order(text: str) -> Any:
    """The JSON with every object as its list of (key, value) pairs: equal only when
    the keys also come in the same order."""
    return json.loads(text, object_pairs_hook=list)


def stock(api: Api, pid: str) -> int:
    return int(record(product(api, pid))["quantity"])


def number(value: object) -> Decimal:
    """A price or total as sent back, compared exactly whatever its JSON type."""
    return Decimal(str(value))


def lines(view: Any) -> dict[str, tuple[int, Decimal]]:
    """An order's lines as {PID: (quantity, price)}."""
    return {
        line["PID"]: (int(line["quantity"]), number(line["price"])) for line in view["products"]
    }
