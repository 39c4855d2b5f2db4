"""The no-op server answers every RPC of both portals at once, with a reply the load's
recording reads as a success: the generator's ceiling is measured on real calls."""

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from benchmarks.noop_server import NoopServer, running
from loadtests.calls import RPCS, answered, outcome_trailer
from proto import api_pb2 as pb

REQUESTS: dict[str, Any] = {
    "Client": pb.Client(CID="c1", data=json.dumps({"name": "Ana"})),
    "Product": pb.Product(PID="p1", data=json.dumps({"name": "pen", "price": 2, "quantity": 5})),
    "Order": pb.Order(OID="o1", CID="c1", data=json.dumps({"products": []})),
    "ID": pb.ID(ID="k1"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[NoopServer]:
    with running() as serving:
        yield serving


@pytest.fixture(scope="module")
def channel(server: NoopServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.address) as opened:
        yield opened


def call(channel: grpc.Channel, name: str) -> tuple[Any, str | None]:
    """RPC `name`'s reply (a stream's messages as a list) and its outcome trailer."""
    rpc = RPCS[name]
    request = REQUESTS[rpc.request.__name__]
    serialize, parse = rpc.request.SerializeToString, rpc.response.FromString
    if rpc.streaming:
        stream = channel.unary_stream(rpc.path, serialize, parse)
        return list(stream(request, timeout=5)), None
    method = channel.unary_unary(rpc.path, serialize, parse)
    reply, done = method.with_call(request, timeout=5)
    return reply, outcome_trailer(done.trailing_metadata())


@pytest.mark.parametrize("name", sorted(RPCS))
def test_every_rpc_gets_a_reply_the_recording_counts_as_a_success(
    channel: grpc.Channel, name: str
) -> None:
    reply, trailer = call(channel, name)
    outcome, result = answered(reply, trailer)
    assert outcome == "ok", result
    if RPCS[name].is_read:
        assert result["found"] is True
    else:
        assert (result["error"], result["outcome"]) == (0, "done")


def test_a_retrieve_answers_the_record_asked_for_with_the_fields_spec_requires(
    channel: grpc.Channel,
) -> None:
    client, _ = call(channel, "RetrieveClient")
    product, _ = call(channel, "RetrieveProduct")
    (order,) = call(channel, "RetrieveClientOrders")[0]
    assert (client.CID, product.PID, order.CID) == ("k1", "k1", "k1")
    assert "name" in json.loads(client.data)
    assert {"name", "price", "quantity"} <= json.loads(product.data).keys()
    assert {"OID", "CID", "products", "total"} <= json.loads(order.data).keys()
