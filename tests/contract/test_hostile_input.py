"""SPEC.md's "Input, exactly" through real servers: hostile requests, then a working service.

Every case has one expected reply, the same on every strategy: run with each
TESTBED_STRATEGY, this suite is what shows that they accept and refuse the same things.
After each refusal the state is unchanged; after all of them every replica still
answers its status and digest, and reads of what was accepted still work.
"""

import json
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest

from core.launcher import Cluster
from proto import api_pb2 as pb
from tests.contract.support import (
    accepted,
    changes_nothing,
    client,
    client_json,
    client_orders,
    make_client,
    make_order,
    make_product,
    order,
    product,
    product_json,
    record,
    refused,
    stock,
)
from tests.support.api import TIMEOUT_S, Api

pytestmark = pytest.mark.contract

MAX = 2**63 - 1


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def product_text(quantity: str = "8", price: str = '"2.50"', name: str = '"caneta"') -> str:
    """Product data with its values as raw JSON literals, exactly as a client could send."""
    return f'{{"name": {name}, "price": {price}, "quantity": {quantity}}}'


# (name, data) of client records SPEC.md refuses; each is sent raw, byte for byte.
BAD_CLIENTS: dict[str, str] = {
    "surrogate in the name": '{"name": "\\ud800"}',
    "surrogate in a key": '{"name": "Ana", "\\udc00": 1}',
    "surrogate deep inside": '{"name": "Ana", "x": [{"y": ["\\udbff"]}]}',
    "the same key twice": '{"name": "Ana", "name": "Bia"}',
    "byte-order mark": '\ufeff{"name": "Ana"}',
    "33 levels": '{"name": "Ana", "x": ' + nested(32) + "}",
    "980 levels": '{"name": "Ana", "x": ' + nested(979) + "}",
    "a number not finite as a float": '{"name": "Ana", "n": 1e400}',
    "an integer of 400 digits": '{"name": "Ana", "n": 1' + "0" * 399 + "}",
    "a number of 4301 digits": '{"name": "Ana", "n": 0.' + "0" * 4299 + "1}",
    "NaN": '{"name": "Ana", "n": NaN}',
}

BAD_PRODUCTS: dict[str, str] = {
    "surrogate in the name": product_text(name='"\\ud800"'),
    "quantity 1e18": product_text(quantity="1e18"),
    "quantity 3.0": product_text(quantity="3.0"),
    "quantity string of 4301 digits": product_text(quantity=f'"{"1" * 4301}"'),
    "quantity string of 4300 digits": product_text(quantity=f'"{"1" * 4300}"'),
    "quantity string of 20 digits": product_text(quantity=f'"{"1" * 20}"'),
    "quantity 2^63": product_text(quantity=str(2**63)),
    "quantity with spaces": product_text(quantity='" 7 "'),
    "price 1_000": product_text(price='"1_000"'),
    "price in Arabic-Indic digits": product_text(price='"\\u0661\\u0662"'),
    "price .5": product_text(price='".5"'),
    "price 5.": product_text(price='"5."'),
    "price +1": product_text(price='"+1"'),
    "price 1e3 as a string": product_text(price='"1e3"'),
    "price over 1e15": product_text(price="1000000000000001"),
}

BAD_ORDERS: dict[str, Callable[[str], str]] = {
    "surrogate PID": lambda pid: '{"products": [{"PID": "\\ud800", "quantity": 1}]}',
    "quantity 1e18": lambda pid: f'{{"products": [{{"PID": "{pid}", "quantity": 1e18}}]}}',
    "quantity 3.0": lambda pid: f'{{"products": [{{"PID": "{pid}", "quantity": 3.0}}]}}',
    "lines adding up past 2^63-1": lambda pid: json.dumps(
        {"products": [{"PID": pid, "quantity": 2**62}, {"PID": pid, "quantity": 2**62}]}
    ),
    "the same key twice": lambda pid: f'[{{"PID": "{pid}", "PID": "x", "quantity": 1}}]',
    "33 levels": lambda pid: '{"products": [], "x": ' + nested(32) + "}",
}


@pytest.mark.parametrize("flaw", BAD_CLIENTS)
def test_bad_client_data_is_refused_by_create_and_update(
    api: Api, ids: Iterator[str], flaw: str
) -> None:
    fresh, existing = next(ids), make_client(api, ids)
    with changes_nothing(api, lambda: client(api, fresh), lambda: client(api, existing)):
        refused(api.CreateClient(pb.Client(CID=fresh, data=BAD_CLIENTS[flaw])), 400)
        refused(api.UpdateClient(pb.Client(CID=existing, data=BAD_CLIENTS[flaw])), 400)


@pytest.mark.parametrize("flaw", BAD_PRODUCTS)
def test_bad_product_data_is_refused_by_create_and_update(
    api: Api, ids: Iterator[str], flaw: str
) -> None:
    fresh, existing = next(ids), make_product(api, ids)
    with changes_nothing(api, lambda: product(api, fresh), lambda: product(api, existing)):
        refused(api.CreateProduct(pb.Product(PID=fresh, data=BAD_PRODUCTS[flaw])), 400)
        refused(api.UpdateProduct(pb.Product(PID=existing, data=BAD_PRODUCTS[flaw])), 400)


@pytest.mark.parametrize("flaw", BAD_ORDERS)
def test_bad_order_data_is_refused_by_create_and_update(
    api: Api, ids: Iterator[str], flaw: str
) -> None:
    cid, pid = make_client(api, ids), make_product(api, ids)
    oid = make_order(api, ids, cid, (pid, 1))
    data = BAD_ORDERS[flaw](pid)
    with changes_nothing(api, lambda: order(api, oid), lambda: stock(api, pid)):
        refused(api.CreateOrder(pb.Order(OID=next(ids), CID=cid, data=data)), 400)
        refused(api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=data)), 400)


def test_input_rules_come_before_missing_or_conflicting_records(
    api: Api, ids: Iterator[str]
) -> None:
    cid, pid = make_client(api, ids), make_product(api, ids)
    with changes_nothing(api):
        refused(
            api.CreateClient(pb.Client(CID=cid, data=BAD_CLIENTS["surrogate in the name"])), 400
        )
        refused(api.UpdateClient(pb.Client(CID=next(ids), data=BAD_CLIENTS["33 levels"])), 400)
        refused(api.CreateProduct(pb.Product(PID=pid, data=BAD_PRODUCTS["quantity 1e18"])), 400)
        refused(api.UpdateProduct(pb.Product(PID=next(ids), data=BAD_PRODUCTS["price 1_000"])), 400)
        missing = BAD_ORDERS["quantity 3.0"](next(ids))
        refused(api.CreateOrder(pb.Order(OID=next(ids), CID=next(ids), data=missing)), 400)


def test_records_at_the_limits_are_accepted_and_read_back(api: Api, ids: Iterator[str]) -> None:
    cid = next(ids)
    data = '{"name": "\\ud83d\\ude00", "x": ' + nested(31) + ', "n": 0.' + "0" * 4298 + "1}"
    accepted(api, api.CreateClient(pb.Client(CID=cid, data=data)))
    assert record(client(api, cid)) == json.loads(data)
    pid = make_product(api, ids, quantity=str(MAX), price="1000000000000000")
    assert stock(api, pid) == MAX
    oid = make_order(api, ids, cid, (pid, MAX))
    assert record(order(api, oid))["total"] == MAX * 10**15
    assert [found.OID for found in client_orders(api, cid)] == [oid]


def test_no_sequence_of_operations_takes_stock_past_2_63_minus_1(
    api: Api, ids: Iterator[str]
) -> None:
    cid, pid = make_client(api, ids), make_product(api, ids, quantity=MAX)
    oid = make_order(api, ids, cid, (pid, 10))
    with changes_nothing(api, lambda: product(api, pid)):
        refused(api.UpdateProduct(pb.Product(PID=pid, data=product_json(MAX))), 409)
        refused(api.UpdateProduct(pb.Product(PID=pid, data=product_json(str(MAX - 9)))), 409)
    accepted(api, api.UpdateProduct(pb.Product(PID=pid, data=product_json(MAX - 10))))
    accepted(api, api.DeleteOrder(pb.ID(ID=oid)))
    assert stock(api, pid) == MAX
    make_order(api, ids, cid, (pid, 1))  # valid orders still succeed at the bound
    assert stock(api, pid) == MAX - 1


# Bodies that are not messages of the RPC's type

RAW_BODIES = {
    "invalid UTF-8 in field 1": b"\n\x02\xff\xfe",
    "a surrogate encoded as UTF-8": b"\n\x03\xed\xa0\x80",
    "a truncated field": b"\n\x05ab",
    "an invalid tag": b"\xff\xff\xff\xff",
    "an unterminated varint": b"\x08" + b"\xff" * 11,
}


def every_rpc() -> list[tuple[str, str, bool]]:
    return [
        (service, method.name, method.server_streaming)
        for service in ("AdminPortal", "OrderPortal")
        for method in pb.DESCRIPTOR.services_by_name[service].methods
    ]


@pytest.mark.parametrize("body", RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_a_body_that_is_not_a_message_is_invalid_argument(
    api: Api, cluster: Cluster, body: bytes
) -> None:
    channel = api.channel(cluster.addresses()[0])
    with changes_nothing(api):
        for service, method, streaming in every_rpc():
            expected = pb.DESCRIPTOR.services_by_name[service].methods_by_name[method].input_type
            path = f"/{service}/{method}"
            open_call = channel.unary_stream if streaming else channel.unary_unary
            call: Any = open_call(path, request_serializer=None, response_deserializer=None)
            with pytest.raises(grpc.RpcError) as failure:
                answer = call(body, timeout=TIMEOUT_S)
                if streaming:
                    list(answer)
            assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (method, failure)
            assert f"not a valid {expected.name} message" in (failure.value.details() or "")


# Afterwards: the service still serves, everywhere


def test_after_hostile_input_every_replica_serves_and_agrees(
    api: Api, cluster: Cluster, ids: Iterator[str]
) -> None:
    for flaw in ("surrogate in the name", "980 levels", "33 levels"):
        refused(api.CreateClient(pb.Client(CID=next(ids), data=BAD_CLIENTS[flaw])), 400)
    deep = next(ids)
    accepted(api, api.CreateClient(pb.Client(CID=deep, data=client_json(x=json.loads(nested(31))))))
    digests = api.digests()
    assert len(digests) == len(cluster.addresses()) and len(set(digests.values())) == 1
    for address in cluster.addresses():
        admin, orders = api.stub("admin", address), api.stub("order", address)
        assert record(admin.RetrieveClient(pb.ID(ID=deep), timeout=TIMEOUT_S))["x"]
        assert list(orders.RetrieveClientOrders(pb.ID(ID=deep), timeout=TIMEOUT_S)) == []
    if len(cluster.servers) > 1:  # a restarted replica catches up with the deep record
        cluster.restart(cluster.servers[-1].name)
        api.settle(timeout=30)
        rejoined = api.stub("admin", cluster.servers[-1].address)
        assert record(rejoined.RetrieveClient(pb.ID(ID=deep), timeout=TIMEOUT_S))["x"]
