"""Each RPC of SPEC.md as a parse step (request to command or query) and a render step.

The portals never know which strategy runs underneath: writes become commands for
`Replicator.execute`, reads become queries for `Replicator.read`.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from core.domain import Command, InvalidInput, Query
from core.domain import commands as c
from core.domain import parsing as p
from core.domain.ids import NOT_FOUND_ID, check_id
from proto import api_pb2 as pb


@dataclass(frozen=True)
class Write:
    parse: Callable[[Any], Command]


@dataclass(frozen=True)
class Read:
    query: Callable[[str], Query]
    render: Callable[[str, Any], Message]  # (requested ID, query result) -> response


@dataclass(frozen=True)
class Stream:
    query: Callable[[str], Query]
    render: Callable[[Any], Iterator[Message]]


Route = Write | Read | Stream


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # built once: it is on every read's path


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def _client(cid: str, record: Any) -> pb.Client:
    if record is None:
        return pb.Client(CID=NOT_FOUND_ID, data="")
    return pb.Client(CID=cid, data=_dumps(record))


def _product(pid: str, record: Any) -> pb.Product:
    if record is None:
        return pb.Product(PID=NOT_FOUND_ID, data="")
    return pb.Product(PID=pid, data=_dumps(record))


def _order(view: Any) -> pb.Order:
    return pb.Order(OID=view["OID"], CID=view["CID"], data=_dumps(view))


def _maybe_order(oid: str, view: Any) -> pb.Order:
    if view is None:
        return pb.Order(OID=NOT_FOUND_ID, CID=NOT_FOUND_ID, data="")
    return _order(view)


def _orders(views: Any) -> Iterator[pb.Order]:
    return (_order(view) for view in views)


ADMIN: dict[str, Route] = {
    "CreateClient": Write(lambda r: p.create_client(r.CID, r.data)),
    "RetrieveClient": Read(c.GetClient, _client),
    "UpdateClient": Write(lambda r: p.update_client(r.CID, r.data)),
    "DeleteClient": Write(lambda r: p.delete_client(r.ID)),
    "CreateProduct": Write(lambda r: p.create_product(r.PID, r.data)),
    "RetrieveProduct": Read(c.GetProduct, _product),
    "UpdateProduct": Write(lambda r: p.update_product(r.PID, r.data)),
    "DeleteProduct": Write(lambda r: p.delete_product(r.ID)),
}

ORDER: dict[str, Route] = {
    "CreateOrder": Write(lambda r: p.create_order(r.OID, r.CID, r.data)),
    "RetrieveOrder": Read(c.GetOrder, _maybe_order),
    "UpdateOrder": Write(lambda r: p.update_order(r.OID, r.CID, r.data)),
    "DeleteOrder": Write(lambda r: p.delete_order(r.ID)),
    "RetrieveClientOrders": Stream(c.GetClientOrders, _orders),
}

SERVICES: dict[str, dict[str, Route]] = {"AdminPortal": ADMIN, "OrderPortal": ORDER}
PORTAL_SERVICES = {"admin": "AdminPortal", "order": "OrderPortal"}


def lookup_id(value: str) -> str | None:
    """The ID to look up, or None when no record could have it (it reads as missing)."""
    try:
        return check_id("ID", value)
    except InvalidInput:
        return None
