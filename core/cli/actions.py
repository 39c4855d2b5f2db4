"""What the portal clients can do: one entry per RPC, shared by menus and one-shot commands."""

from collections.abc import Callable
from dataclasses import dataclass

from google.protobuf.message import Message

from proto import api_pb2 as pb


@dataclass(frozen=True)
class Action:
    name: str  # the one-shot command, e.g. create-client
    rpc: str  # the RPC it calls, e.g. CreateClient
    args: tuple[str, ...]  # positional arguments, in order
    help: str
    build: Callable[..., Message]  # the request from the arguments (and the CID, for orders)


ADMIN = (
    Action(
        "create-client",
        "CreateClient",
        ("CID", "DATA"),
        "create a client",
        lambda cid, data: pb.Client(CID=cid, data=data),
    ),
    Action(
        "retrieve-client", "RetrieveClient", ("CID",), "show a client", lambda cid: pb.ID(ID=cid)
    ),
    Action(
        "update-client",
        "UpdateClient",
        ("CID", "DATA"),
        "replace a client's data",
        lambda cid, data: pb.Client(CID=cid, data=data),
    ),
    Action(
        "delete-client",
        "DeleteClient",
        ("CID",),
        "delete a client without orders",
        lambda cid: pb.ID(ID=cid),
    ),
    Action(
        "create-product",
        "CreateProduct",
        ("PID", "DATA"),
        "create a product",
        lambda pid, data: pb.Product(PID=pid, data=data),
    ),
    Action(
        "retrieve-product", "RetrieveProduct", ("PID",), "show a product", lambda pid: pb.ID(ID=pid)
    ),
    Action(
        "update-product",
        "UpdateProduct",
        ("PID", "DATA"),
        "replace a product's data",
        lambda pid, data: pb.Product(PID=pid, data=data),
    ),
    Action(
        "delete-product",
        "DeleteProduct",
        ("PID",),
        "delete a product in no order",
        lambda pid: pb.ID(ID=pid),
    ),
)

# The order client acts for one client, whose CID it asks for at start (as the seed's did).
ORDER = (
    Action(
        "create-order",
        "CreateOrder",
        ("OID", "DATA"),
        "place an order",
        lambda cid, oid, data: pb.Order(OID=oid, CID=cid, data=data),
    ),
    Action(
        "retrieve-order", "RetrieveOrder", ("OID",), "show an order", lambda cid, oid: pb.ID(ID=oid)
    ),
    Action(
        "update-order",
        "UpdateOrder",
        ("OID", "DATA"),
        "set line quantities (0 removes)",
        lambda cid, oid, data: pb.Order(OID=oid, CID=cid, data=data),
    ),
    Action(
        "delete-order",
        "DeleteOrder",
        ("OID",),
        "cancel an order, restocking it",
        lambda cid, oid: pb.ID(ID=oid),
    ),
    Action(
        "retrieve-client-orders",
        "RetrieveClientOrders",
        (),
        "list the client's orders",
        lambda cid: pb.ID(ID=cid),
    ),
)

PORTALS = {"admin": ("AdminPortal", ADMIN), "order": ("OrderPortal", ORDER)}
