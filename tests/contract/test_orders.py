"""SPEC.md rules 4 to 8: orders, stock and frozen prices, through OrderPortal."""

import json
from collections.abc import Callable, Iterator

import pytest

from proto import api_pb2 as pb
from tests.contract.support import (
    BAD_IDS,
    MAX_DATA_BYTES,
    accepted,
    changes_nothing,
    client_orders,
    lines,
    make_client,
    make_order,
    make_product,
    number,
    old_order_json,
    order,
    order_json,
    padded_json,
    product,
    product_json,
    record,
    refused,
    stock,
)
from tests.support.api import Api

pytestmark = pytest.mark.contract

EMPTY_ORDER = pb.Order(OID="0", CID="0", data="")

FORMS: dict[str, Callable[..., str]] = {
    "course form": order_json,
    "older list form": old_order_json,
}

BAD_ORDER_DATA: dict[str, Callable[[str], str]] = {
    "not JSON": lambda pid: '{"products": [',
    "empty": lambda pid: "",
    "a JSON string": lambda pid: '"products"',
    "an object without products": lambda pid: json.dumps({"items": [{"PID": pid, "quantity": 1}]}),
    "products not a list": lambda pid: json.dumps({"products": {"PID": pid, "quantity": 1}}),
    "a line that is not an object": lambda pid: json.dumps({"products": [pid]}),
    "a line without PID": lambda pid: json.dumps({"products": [{"quantity": 1}]}),
    "a line without quantity": lambda pid: json.dumps({"products": [{"PID": pid}]}),
    "negative quantity": lambda pid: order_json((pid, -1)),
    "fractional quantity": lambda pid: order_json((pid, 1.5)),
    "fractional quantity string": lambda pid: old_order_json((pid, "1.5")),
    "non-numeric quantity": lambda pid: order_json((pid, "two")),
    "boolean quantity": lambda pid: order_json((pid, True)),
    "null quantity": lambda pid: order_json((pid, None)),
    "empty PID": lambda pid: order_json(("", 1)),
    "reserved PID 0": lambda pid: order_json(("0", 1)),
    "over 64 KiB": lambda pid: padded_json(
        {"products": [{"PID": pid, "quantity": 1}]}, MAX_DATA_BYTES + 1
    ),
}


def shop(api: Api, ids: Iterator[str], *stocks: int) -> tuple[str, list[str]]:
    """A client and one product per stock, priced 2.50."""
    cid = make_client(api, ids)
    return cid, [make_product(api, ids, quantity) for quantity in stocks]


def stocks(api: Api, pids: list[str]) -> list[int]:
    return [stock(api, pid) for pid in pids]


# Rule 4: CreateOrder


@pytest.mark.parametrize("form", FORMS)
def test_create_takes_stock_and_stores_the_order(api: Api, ids: Iterator[str], form: str) -> None:
    cid, (p1, p2) = shop(api, ids, 8, 9)
    oid = next(ids)
    data = FORMS[form]((p1, 3), (p2, 5))
    accepted(api, api.CreateOrder(pb.Order(OID=oid, CID=cid, data=data)))
    assert stocks(api, [p1, p2]) == [5, 4]
    found = order(api, oid)
    assert (found.OID, found.CID) == (oid, cid)
    view = record(found)
    assert (view["OID"], view["CID"]) == (oid, cid)
    assert list(view) == ["OID", "CID", "products", "total"]  # SPEC.md's order
    assert [list(line) for line in view["products"]] == [["PID", "name", "quantity", "price"]] * 2
    assert [line["name"] for line in view["products"]] == ["caneta", "caneta"]
    assert lines(view) == {p1: (3, number("2.50")), p2: (5, number("2.50"))}
    assert number(view["total"]) == number("20.00")


def test_the_total_is_the_sum_of_quantity_times_price(api: Api, ids: Iterator[str]) -> None:
    cid = make_client(api, ids)
    p1 = make_product(api, ids, 10, price="2.50")
    p2 = make_product(api, ids, 10, price=1.1)
    p3 = make_product(api, ids, 10, price="0")
    oid = make_order(api, ids, cid, (p1, 3), (p2, 2), (p3, 4))
    view = record(order(api, oid))
    assert lines(view) == {p1: (3, number("2.5")), p2: (2, number("1.1")), p3: (4, number(0))}
    assert number(view["total"]) == number("9.70")


def test_taking_the_whole_stock_is_allowed(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    make_order(api, ids, cid, (pid, 8))
    assert stock(api, pid) == 0


@pytest.mark.parametrize(("sent", "left"), [("8", "5"), (8, 5)])
def test_stock_keeps_the_json_type_it_was_sent_in(
    api: Api, ids: Iterator[str], sent: object, left: object
) -> None:
    cid = make_client(api, ids)
    pid = make_product(api, ids, sent)
    make_order(api, ids, cid, (pid, 3))
    assert record(product(api, pid))["quantity"] == left


def test_a_zero_quantity_line_is_valid_and_takes_no_stock(api: Api, ids: Iterator[str]) -> None:
    cid, (p1, p2) = shop(api, ids, 8, 9)
    oid = make_order(api, ids, cid, (p1, 0), (p2, 2))
    assert stocks(api, [p1, p2]) == [8, 7]
    assert number(record(order(api, oid))["total"]) == number("5.00")


def test_the_same_product_twice_adds_up(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = make_order(api, ids, cid, (pid, 2), (pid, 3))
    assert lines(record(order(api, oid))) == {pid: (5, number("2.50"))}
    assert stock(api, pid) == 3


def test_the_same_product_twice_must_fit_the_stock_together(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = next(ids)
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        data = order_json((pid, 5), (pid, 4))
        refused(api.CreateOrder(pb.Order(OID=oid, CID=cid, data=data)), 409)


@pytest.mark.parametrize("data", ['{"products": []}', "[]"])
def test_an_order_without_products_is_valid(api: Api, ids: Iterator[str], data: str) -> None:
    cid = make_client(api, ids)
    oid = next(ids)
    accepted(api, api.CreateOrder(pb.Order(OID=oid, CID=cid, data=data)))
    view = record(order(api, oid))
    assert (view["OID"], view["CID"], view["products"]) == (oid, cid, [])
    assert number(view["total"]) == 0


def test_the_client_must_exist(api: Api, ids: Iterator[str]) -> None:
    _, (pid,) = shop(api, ids, 8)
    oid = next(ids)
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        data = order_json((pid, 1))
        refused(api.CreateOrder(pb.Order(OID=oid, CID=next(ids), data=data)), 404)
    assert order(api, oid) == EMPTY_ORDER


def test_an_oid_in_use_is_a_conflict(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = make_order(api, ids, cid, (pid, 1))
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        refused(api.CreateOrder(pb.Order(OID=oid, CID=cid, data=order_json((pid, 2)))), 409)


def test_oids_are_global_across_clients(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    other = make_client(api, ids)
    oid = make_order(api, ids, cid, (pid, 1))
    with changes_nothing(
        api, lambda: product(api, pid), lambda: order(api, oid), lambda: client_orders(api, other)
    ):
        refused(api.CreateOrder(pb.Order(OID=oid, CID=other, data=order_json((pid, 2)))), 409)
    assert order(api, oid).CID == cid


def test_every_product_must_exist(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = next(ids)
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        data = order_json((pid, 2), (next(ids), 1))
        refused(api.CreateOrder(pb.Order(OID=oid, CID=cid, data=data)), 404)
    assert order(api, oid) == EMPTY_ORDER


def test_not_enough_stock_refuses_the_whole_order(api: Api, ids: Iterator[str]) -> None:
    cid, pids = shop(api, ids, 8, 9)
    oid = next(ids)
    with changes_nothing(api, lambda: stocks(api, pids), lambda: order(api, oid)):
        data = order_json((pids[0], 2), (pids[1], 10))
        refused(api.CreateOrder(pb.Order(OID=oid, CID=cid, data=data)), 409)
    assert stocks(api, pids) == [8, 9]
    assert order(api, oid) == EMPTY_ORDER
    assert client_orders(api, cid) == []


@pytest.mark.parametrize("flaw", BAD_ORDER_DATA)
def test_bad_order_data_is_refused(api: Api, ids: Iterator[str], flaw: str) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = next(ids)
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        data = BAD_ORDER_DATA[flaw](pid)
        refused(api.CreateOrder(pb.Order(OID=oid, CID=cid, data=data)), 400)


@pytest.mark.parametrize("flaw", BAD_IDS)
def test_bad_ids_are_refused(api: Api, ids: Iterator[str], flaw: str) -> None:
    cid, (pid,) = shop(api, ids, 8)
    good_oid = make_order(api, ids, cid, (pid, 1))
    bad = BAD_IDS[flaw](next(ids))
    data = order_json((pid, 1))
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, bad)):
        refused(api.CreateOrder(pb.Order(OID=bad, CID=cid, data=data)), 400)
        refused(api.CreateOrder(pb.Order(OID=next(ids), CID=bad, data=data)), 400)
        refused(api.CreateOrder(pb.Order(OID=next(ids), CID=cid, data=order_json((bad, 1)))), 400)
        refused(api.UpdateOrder(pb.Order(OID=bad, CID=cid, data=data)), 400)
        refused(api.UpdateOrder(pb.Order(OID=good_oid, CID=bad, data=data)), 400)
        refused(api.DeleteOrder(pb.ID(ID=bad)), 400)


# Rule 7: RetrieveOrder


def test_retrieve_of_a_missing_order_is_the_empty_order(api: Api, ids: Iterator[str]) -> None:
    assert order(api, next(ids)) == EMPTY_ORDER


def test_prices_are_frozen_when_the_line_is_added(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = make_order(api, ids, cid, (pid, 3))
    accepted(api, api.UpdateProduct(pb.Product(PID=pid, data=product_json(5, "9.00"))))
    view = record(order(api, oid))
    assert lines(view) == {pid: (3, number("2.50"))}
    assert number(view["total"]) == number("7.50")


# Rule 5: UpdateOrder


def test_update_sets_absolute_quantities_and_moves_stock_by_the_difference(
    api: Api, ids: Iterator[str]
) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = make_order(api, ids, cid, (pid, 3))
    for quantity, left in [(2, 6), (4, 4), (4, 4), (8, 0)]:
        accepted(api, api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=order_json((pid, quantity)))))
        assert lines(record(order(api, oid))) == {pid: (quantity, number("2.50"))}
        assert stock(api, pid) == left


@pytest.mark.parametrize("form", FORMS)
def test_update_accepts_both_forms(api: Api, ids: Iterator[str], form: str) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = make_order(api, ids, cid, (pid, 3))
    accepted(api, api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=FORMS[form]((pid, 1)))))
    assert stock(api, pid) == 7


def test_update_to_zero_removes_the_line_and_unlisted_lines_stay(
    api: Api, ids: Iterator[str]
) -> None:
    cid, (p1, p2) = shop(api, ids, 8, 9)
    oid = make_order(api, ids, cid, (p1, 3), (p2, 5))
    accepted(api, api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=order_json((p1, 0)))))
    view = record(order(api, oid))
    assert lines(view) == {p2: (5, number("2.50"))}
    assert number(view["total"]) == number("12.50")
    assert stocks(api, [p1, p2]) == [8, 4]


def test_a_new_line_takes_the_current_price_and_old_lines_keep_theirs(
    api: Api, ids: Iterator[str]
) -> None:
    cid, (p1, p2) = shop(api, ids, 8, 9)
    oid = make_order(api, ids, cid, (p1, 3))
    for pid in (p1, p2):
        accepted(api, api.UpdateProduct(pb.Product(PID=pid, data=product_json(6, "4.00"))))
    data = order_json((p1, 4), (p2, 2))
    accepted(api, api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=data)))
    view = record(order(api, oid))
    assert lines(view) == {p1: (4, number("2.50")), p2: (2, number("4.00"))}
    assert number(view["total"]) == number("18.00")
    assert stocks(api, [p1, p2]) == [5, 4]


def test_a_removed_line_added_again_takes_the_current_price(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = make_order(api, ids, cid, (pid, 3))
    accepted(api, api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=order_json((pid, 0)))))
    accepted(api, api.UpdateProduct(pb.Product(PID=pid, data=product_json(8, "3.00"))))
    accepted(api, api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=order_json((pid, 2)))))
    assert lines(record(order(api, oid))) == {pid: (2, number("3.00"))}
    assert stock(api, pid) == 6


def test_update_of_a_missing_order_is_not_found(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = next(ids)
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        refused(api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=order_json((pid, 1)))), 404)


def test_update_of_another_clients_order_is_forbidden(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    other = make_client(api, ids)
    oid = make_order(api, ids, cid, (pid, 3))
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        refused(api.UpdateOrder(pb.Order(OID=oid, CID=other, data=order_json((pid, 1)))), 403)
        refused(api.UpdateOrder(pb.Order(OID=oid, CID=next(ids), data=order_json((pid, 1)))), 403)


def test_update_with_not_enough_stock_changes_nothing(api: Api, ids: Iterator[str]) -> None:
    cid, pids = shop(api, ids, 8, 9)
    oid = make_order(api, ids, cid, (pids[0], 3), (pids[1], 1))
    with changes_nothing(api, lambda: stocks(api, pids), lambda: order(api, oid)):
        data = order_json((pids[0], 1), (pids[1], 11))
        refused(api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=data)), 409)
    assert stocks(api, pids) == [5, 8]


def test_update_with_a_missing_product_changes_nothing(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = make_order(api, ids, cid, (pid, 3))
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        data = order_json((pid, 1), (next(ids), 1))
        refused(api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=data)), 404)


@pytest.mark.parametrize("flaw", BAD_ORDER_DATA)
def test_update_with_bad_data_changes_nothing(api: Api, ids: Iterator[str], flaw: str) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = make_order(api, ids, cid, (pid, 3))
    with changes_nothing(api, lambda: product(api, pid), lambda: order(api, oid)):
        data = BAD_ORDER_DATA[flaw](pid)
        refused(api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=data)), 400)


def test_a_product_whose_lines_are_all_removed_can_be_deleted(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 8)
    oid = make_order(api, ids, cid, (pid, 3))
    accepted(api, api.UpdateOrder(pb.Order(OID=oid, CID=cid, data=order_json((pid, 0)))))
    accepted(api, api.DeleteProduct(pb.ID(ID=pid)))


# Rule 6: DeleteOrder


def test_delete_returns_every_line_to_stock(api: Api, ids: Iterator[str]) -> None:
    cid, pids = shop(api, ids, 8, 9)
    oid = make_order(api, ids, cid, (pids[0], 3), (pids[1], 9))
    assert stocks(api, pids) == [5, 0]
    accepted(api, api.DeleteOrder(pb.ID(ID=oid)))
    assert stocks(api, pids) == [8, 9]
    assert order(api, oid) == EMPTY_ORDER
    assert client_orders(api, cid) == []


def test_delete_of_a_missing_order_is_not_found(api: Api, ids: Iterator[str]) -> None:
    with changes_nothing(api):
        refused(api.DeleteOrder(pb.ID(ID=next(ids))), 404)


# Rule 8: RetrieveClientOrders


def test_client_orders_are_exactly_that_clients_oldest_first(api: Api, ids: Iterator[str]) -> None:
    cid, (pid,) = shop(api, ids, 20)
    other = make_client(api, ids)
    base = next(ids)
    oids = [f"{base}-{suffix}" for suffix in ("c", "a", "b")]  # not in alphabetical order
    for quantity, oid in enumerate(oids, start=1):
        accepted(api, api.CreateOrder(pb.Order(OID=oid, CID=cid, data=order_json((pid, quantity)))))
    make_order(api, ids, other, (pid, 1))
    streamed = client_orders(api, cid)
    assert [found.OID for found in streamed] == oids
    assert streamed == [order(api, oid) for oid in oids]
    accepted(api, api.UpdateOrder(pb.Order(OID=oids[0], CID=cid, data=order_json((pid, 5)))))
    assert [found.OID for found in client_orders(api, cid)] == oids
    accepted(api, api.DeleteOrder(pb.ID(ID=oids[1])))
    assert [found.OID for found in client_orders(api, cid)] == [oids[0], oids[2]]


def test_an_unknown_client_has_an_empty_stream(api: Api, ids: Iterator[str]) -> None:
    assert client_orders(api, next(ids)) == []
    assert client_orders(api, "") == []
