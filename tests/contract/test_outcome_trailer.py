"""Every write reply carries the `testbed-outcome` trailer (SPEC.md), on both method paths.

A success is `done`; a refusal, whether a missing or conflicting record (404, 409) or
bad input (400), is `refused`. (The 503 kinds, `none` and `unknown`, need a strategy
that cannot commit: see the strategies' own tests.)
"""

from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.message import Message

from core.launcher import Cluster
from proto import api_pb2 as pb
from tests.contract.support import client_json, order_json, product_json
from tests.support.api import TIMEOUT_S, Api

pytestmark = pytest.mark.contract

TRAILER = "testbed-outcome"
WRITES = {
    "AdminPortal": (
        "CreateClient", "UpdateClient", "DeleteClient",
        "CreateProduct", "UpdateProduct", "DeleteProduct",
    ),
    "OrderPortal": ("CreateOrder", "UpdateOrder", "DeleteOrder"),
}  # fmt: skip
SERVICE = {method: service for service, methods in WRITES.items() for method in methods}


def _calls(ids: Iterator[str]) -> list[tuple[str, Message, int]]:
    """Each write RPC answered with success, a 404 or 409 and a 400, in an order that
    makes each of them so; with the code each one must get."""
    cid, pid, oid = next(ids), next(ids), next(ids)
    missing, bad = next(ids), ""
    return [
        ("CreateClient", pb.Client(CID=cid, data=client_json()), 0),
        ("CreateClient", pb.Client(CID=cid, data=client_json()), 409),
        ("CreateClient", pb.Client(CID=bad, data=client_json()), 400),
        ("UpdateClient", pb.Client(CID=cid, data=client_json("Ana")), 0),
        ("UpdateClient", pb.Client(CID=missing, data=client_json()), 404),
        ("UpdateClient", pb.Client(CID=cid, data="not json"), 400),
        ("CreateProduct", pb.Product(PID=pid, data=product_json(8)), 0),
        ("CreateProduct", pb.Product(PID=pid, data=product_json(8)), 409),
        ("CreateProduct", pb.Product(PID=pid, data=product_json(-1)), 400),
        ("UpdateProduct", pb.Product(PID=pid, data=product_json(9)), 0),
        ("UpdateProduct", pb.Product(PID=missing, data=product_json()), 404),
        ("UpdateProduct", pb.Product(PID=pid, data=product_json(price="free")), 400),
        ("CreateOrder", pb.Order(OID=oid, CID=cid, data=order_json((pid, 3))), 0),
        ("CreateOrder", pb.Order(OID=next(ids), CID=cid, data=order_json((pid, 99))), 409),
        ("CreateOrder", pb.Order(OID=next(ids), CID=cid, data=order_json((pid, -1))), 400),
        ("UpdateOrder", pb.Order(OID=oid, CID=cid, data=order_json((pid, 2))), 0),
        ("UpdateOrder", pb.Order(OID=missing, CID=cid, data=order_json((pid, 1))), 404),
        ("UpdateOrder", pb.Order(OID=oid, CID=cid, data="[{"), 400),
        ("DeleteOrder", pb.ID(ID=oid), 0),
        ("DeleteOrder", pb.ID(ID=oid), 404),
        ("DeleteOrder", pb.ID(ID=bad), 400),
        ("DeleteProduct", pb.ID(ID=pid), 0),
        ("DeleteProduct", pb.ID(ID=pid), 404),
        ("DeleteProduct", pb.ID(ID=bad), 400),
        ("DeleteClient", pb.ID(ID=cid), 0),
        ("DeleteClient", pb.ID(ID=cid), 404),
        ("DeleteClient", pb.ID(ID=bad), 400),
    ]


def _write(channel: grpc.Channel, path: str, request: Message) -> tuple[int, list[object]]:
    """The reply's error and every value of the trailer (a list, so a repeat shows)."""
    call = channel.unary_unary(
        path,
        request_serializer=type(request).SerializeToString,
        response_deserializer=pb.Reply.FromString,
    )
    reply, done = call.with_call(request, timeout=TIMEOUT_S)
    trailers = done.trailing_metadata() or ()
    return reply.error, [value for key, value in trailers if key == TRAILER]


@pytest.mark.parametrize("package", ["", "project."], ids=["own paths", "course paths"])
def test_every_write_says_whether_it_was_done_or_refused(
    api: Api, cluster: Cluster, ids: Iterator[str], package: str
) -> None:
    calls = _calls(ids)
    assert {method for method, _, _ in calls} == set(SERVICE), "every write RPC is tried"
    address = cluster.addresses("admin")[0]
    assert address in cluster.addresses("order"), "the contract cluster's servers host both"
    channel = api.channel(address)
    seen = [
        (method, *_write(channel, f"/{package}{SERVICE[method]}/{method}", request))
        for method, request, _ in calls
    ]
    expected = [(method, code, ["done" if code == 0 else "refused"]) for method, _, code in calls]
    assert seen == expected
