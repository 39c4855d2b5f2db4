"""SPEC.md rules 1 to 3 for products, through AdminPortal."""

import json
from collections.abc import Iterator

import pytest

from proto import api_pb2 as pb
from tests.contract.support import (
    BAD_IDS,
    MAX_DATA_BYTES,
    accepted,
    changes_nothing,
    in_order,
    lines,
    make_client,
    make_order,
    make_product,
    number,
    order,
    padded_json,
    product,
    product_json,
    record,
    refused,
)
from tests.support.api import Api

pytestmark = pytest.mark.contract

CANETA = {"name": "caneta", "price": "2.50", "quantity": "40"}

BAD_DATA = {
    "not JSON": '{"name": "caneta", "price": 1, "quantity": 1',
    "empty": "",
    "a JSON list": '[{"name": "caneta", "price": 1, "quantity": 1}]',
    "a JSON string": '"caneta"',
    "no name": '{"price": "2.50", "quantity": "40"}',
    "no price": '{"name": "caneta", "quantity": "40"}',
    "no quantity": '{"name": "caneta", "price": "2.50"}',
    "negative price": product_json(price=-1),
    "negative price string": product_json(price="-0.5"),
    "non-numeric price": product_json(price="cheap"),
    "empty price": product_json(price=""),
    "boolean price": product_json(price=True),
    "null price": product_json(price=None),
    "NaN price": product_json(price="NaN"),
    "fractional quantity": product_json(quantity=2.5),
    "fractional quantity string": product_json(quantity="2.5"),
    "negative quantity": product_json(quantity=-1),
    "non-numeric quantity": product_json(quantity="ten"),
    "boolean quantity": product_json(quantity=True),
    "over 64 KiB": padded_json(CANETA, MAX_DATA_BYTES + 1),
}


def test_create_then_retrieve_returns_the_data_with_extra_fields_verbatim(
    api: Api, ids: Iterator[str]
) -> None:
    data = {"marca": "Bic", **CANETA, "cor": "azul", "dimensões": {"cm": 14, "g": 6, "al": 1}}
    pid = next(ids)
    accepted(api, api.CreateProduct(pb.Product(PID=pid, data=json.dumps(data))))
    found = product(api, pid)
    assert found.PID == pid
    assert json.loads(found.data) == data
    assert in_order(found.data) == in_order(json.dumps(data))  # keys in the order sent


@pytest.mark.parametrize(
    ("price", "quantity"),
    [("2.50", "40"), (2.5, 40), ("3", 7), (4, "12"), (0, 0), ("0", "0"), ("007", "5")],
)
def test_price_and_quantity_come_back_in_the_json_type_sent(
    api: Api, ids: Iterator[str], price: object, quantity: object
) -> None:
    pid = next(ids)
    accepted(api, api.CreateProduct(pb.Product(PID=pid, data=product_json(quantity, price))))
    found = record(product(api, pid))
    assert (found["price"], found["quantity"]) == (price, quantity)
    assert (type(found["price"]), type(found["quantity"])) == (type(price), type(quantity))


def test_update_replaces_the_data(api: Api, ids: Iterator[str]) -> None:
    pid = make_product(api, ids)
    data = {"name": "lápis", "price": 1.25, "quantity": 3}
    accepted(api, api.UpdateProduct(pb.Product(PID=pid, data=json.dumps(data))))
    assert record(product(api, pid)) == data


def test_delete_removes_the_product(api: Api, ids: Iterator[str]) -> None:
    pid = make_product(api, ids)
    accepted(api, api.DeleteProduct(pb.ID(ID=pid)))
    assert product(api, pid) == pb.Product(PID="0", data="")


def test_retrieve_of_a_missing_product_is_the_empty_product(api: Api, ids: Iterator[str]) -> None:
    assert product(api, next(ids)) == pb.Product(PID="0", data="")


def test_create_an_existing_product_is_a_conflict(api: Api, ids: Iterator[str]) -> None:
    pid = make_product(api, ids)
    with changes_nothing(api, lambda: product(api, pid)):
        refused(api.CreateProduct(pb.Product(PID=pid, data=product_json(99, "9.99"))), 409)


def test_update_of_a_missing_product_is_not_found(api: Api, ids: Iterator[str]) -> None:
    pid = next(ids)
    with changes_nothing(api, lambda: product(api, pid)):
        refused(api.UpdateProduct(pb.Product(PID=pid, data=product_json())), 404)


def test_delete_of_a_missing_product_is_not_found(api: Api, ids: Iterator[str]) -> None:
    with changes_nothing(api):
        refused(api.DeleteProduct(pb.ID(ID=next(ids))), 404)


@pytest.mark.parametrize("flaw", BAD_IDS)
def test_a_bad_id_is_refused_by_every_write(api: Api, ids: Iterator[str], flaw: str) -> None:
    pid = BAD_IDS[flaw](next(ids))
    with changes_nothing(api, lambda: product(api, pid)):
        refused(api.CreateProduct(pb.Product(PID=pid, data=product_json())), 400)
        refused(api.UpdateProduct(pb.Product(PID=pid, data=product_json())), 400)
        refused(api.DeleteProduct(pb.ID(ID=pid)), 400)


@pytest.mark.parametrize("flaw", BAD_DATA)
def test_bad_data_is_refused_on_create(api: Api, ids: Iterator[str], flaw: str) -> None:
    pid = next(ids)
    with changes_nothing(api, lambda: product(api, pid)):
        refused(api.CreateProduct(pb.Product(PID=pid, data=BAD_DATA[flaw])), 400)
    assert product(api, pid).PID == "0"


@pytest.mark.parametrize("flaw", BAD_DATA)
def test_bad_data_is_refused_on_update(api: Api, ids: Iterator[str], flaw: str) -> None:
    pid = make_product(api, ids)
    with changes_nothing(api, lambda: product(api, pid)):
        refused(api.UpdateProduct(pb.Product(PID=pid, data=BAD_DATA[flaw])), 400)


def test_data_of_exactly_64_kib_is_accepted(api: Api, ids: Iterator[str]) -> None:
    pid = next(ids)
    data = padded_json(CANETA, MAX_DATA_BYTES)
    accepted(api, api.CreateProduct(pb.Product(PID=pid, data=data)))
    assert record(product(api, pid)) == json.loads(data)


def test_a_product_in_an_order_cannot_be_deleted_but_can_be_updated(
    api: Api, ids: Iterator[str]
) -> None:
    cid = make_client(api, ids)
    pid = make_product(api, ids, quantity=8, price="2.50")
    oid = make_order(api, ids, cid, (pid, 3))
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        refused(api.DeleteProduct(pb.ID(ID=pid)), 409)
    accepted(api, api.UpdateProduct(pb.Product(PID=pid, data=product_json(5, "9.00"))))
    assert record(product(api, pid))["price"] == "9.00"
    view = record(order(api, oid))
    assert lines(view) == {pid: (3, number("2.50"))}, "the order must keep its frozen price"
    assert number(view["total"]) == number("7.50")


def test_a_product_is_deletable_once_no_order_holds_it(api: Api, ids: Iterator[str]) -> None:
    cid = make_client(api, ids)
    pid = make_product(api, ids)
    oid = make_order(api, ids, cid, (pid, 1))
    accepted(api, api.DeleteOrder(pb.ID(ID=oid)))
    accepted(api, api.DeleteProduct(pb.ID(ID=pid)))
    assert product(api, pid).PID == "0"
