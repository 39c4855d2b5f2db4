"""Each checker on histories that a wrong reading of the requests would misjudge.

A checker that read an order's lines as a careless parser does (the last line of
a PID winning, only the course form, only integer quantities) would expect the
wrong stock, and so pass a broken service or fail a correct one. Each history
here is judged twice: as a correct service would answer it, and with the
anomaly that a service with that parsing bug would make.
"""

from typing import Any

import pytest

from loadtests.checkers import check_inputs, check_linearizability, check_staleness, check_stock
from loadtests.history import Operation, Replicas, ReplicaState
from tests.loadtests.support import call

PEN = {"name": "pen", "price": 2, "quantity": 10}
TWICE = {"products": [{"PID": "p1", "quantity": 2}, {"PID": "p1", "quantity": 3}]}
LISTED = [{"id": "p1", "quantity": "2"}, {"id": "p1", "quantity": "3"}]
AS_STRINGS = {"products": [{"PID": "p1", "quantity": "5"}]}
# Each asks for 5 units of p1; a parser that keeps a PID's last line would take 3.
ORDERS = pytest.mark.parametrize("order", [TWICE, LISTED, AS_STRINGS], ids=["twice", "list", "str"])


def ordered(order: Any) -> list[Operation]:
    return [call("CreateProduct", "p1", 0, 1, PEN), call("CreateOrder", "o1", 2, 3, order)]


def on(**stocks: int) -> Replicas:
    return Replicas({name: ReplicaState("d", {"p1": units}) for name, units in stocks.items()})


@ORDERS
def test_stock_expects_what_spec_md_adds_up(order: Any) -> None:
    result = check_stock(ordered(order), on(s1=5))
    assert result.products["p1"].expected == (5, 5)
    assert (result.oversold_units, result.lost_units) == (0, 0)


def test_stock_catches_a_service_that_kept_the_last_line() -> None:
    result = check_stock(ordered(TWICE), on(s1=7))
    assert result.lost_units_by_replica == {"s1": 2}


@ORDERS
def test_stock_catches_a_service_that_dropped_the_order(order: Any) -> None:
    assert check_stock(ordered(order), on(s1=10)).lost_units == 5


def test_stock_counts_an_order_that_sells_more_than_there_is_once_added_up() -> None:
    history = [*ordered(TWICE), call("CreateOrder", "o2", 4, 5, TWICE, cid="c2")]
    history.append(call("CreateOrder", "o3", 6, 7, TWICE, cid="c3"))
    assert check_stock(history, on(s1=0)).oversold_units == 5


@ORDERS
def test_staleness_reads_the_stock_the_order_left(order: Any) -> None:
    fresh = [*ordered(order), call("RetrieveProduct", "p1", 4, 5, {**PEN, "quantity": 5})]
    assert (check_staleness(fresh).stale, check_staleness(fresh).unexplained) == (0, 0)
    stale = [*ordered(order), call("RetrieveProduct", "p1", 4, 5, {**PEN, "quantity": "10"})]
    assert check_staleness(stale).stale == 1


def order_view(units: int) -> dict[str, Any]:
    line = {"PID": "p1", "name": "pen", "quantity": units, "price": 2}
    return {"OID": "o1", "CID": "c1", "products": [line], "total": 2 * units}


@ORDERS
def test_staleness_reads_the_order_as_spec_md_adds_it_up(order: Any) -> None:
    fresh = [*ordered(order), call("RetrieveOrder", "o1", 4, 5, order_view(5))]
    assert (check_staleness(fresh).stale, check_staleness(fresh).unexplained) == (0, 0)
    wrong = [*ordered(order), call("RetrieveOrder", "o1", 4, 5, order_view(3))]
    assert check_staleness(wrong).unexplained == 1  # a value no write gave


def test_linearizability_keeps_extra_fields_verbatim() -> None:
    # SPEC.md keeps a client's extra fields verbatim: "30" stays a string.
    sent = {"name": "Ana", "age": "30"}
    history = [call("CreateClient", "c1", 0, 1, sent), call("RetrieveClient", "c1", 2, 3, sent)]
    assert check_linearizability(history).non_linearizable == 0
    history[1] = call("RetrieveClient", "c1", 2, 3, {"name": "Ana", "age": 30})
    assert check_linearizability(history).non_linearizable == 1


@ORDERS
def test_inputs_agree_with_a_service_that_accepts_both_forms(order: Any) -> None:
    result = check_inputs(ordered(order))
    assert (result.requests, result.disagreements) == (2, 0)


@ORDERS
def test_inputs_catch_a_service_that_refuses_a_valid_order(order: Any) -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, PEN),
        call("CreateOrder", "o1", 2, 3, order, error=400),
    ]
    result = check_inputs(history)
    assert result.by_kind == {"accepted_invalid": 0, "refused_valid": 1, "refused_otherwise": 0}
    assert result.examples[0].indices == (1,)
    assert "got 400" in result.examples[0].what


@pytest.mark.parametrize(
    "order",
    [
        {"products": [{"PID": "p1", "quantity": "3.0"}]},
        {"products": [{"PID": "p1", "quantity": 3.0}]},
        {"products": [{"PID": 1, "quantity": 3}]},
        {"products": [{"id": "p1", "quantity": 3}]},
        {"products": [{"PID": "p1", "quantity": -3}]},
        "{oops",
    ],
)
def test_inputs_catch_a_service_that_accepts_an_invalid_order(order: Any) -> None:
    accepted = check_inputs(ordered(order)[1:])
    assert accepted.by_kind["accepted_invalid"] == 1
    assert check_inputs([call("CreateOrder", "o1", 2, 3, order, error=400)]).disagreements == 0
    # Refused, but not first for its input as SPEC.md says.
    otherwise = check_inputs([call("CreateOrder", "o1", 2, 3, order, error=409)])
    assert otherwise.by_kind["refused_otherwise"] == 1
    # The stock ledger ignores an order the checkers read as invalid.
    assert check_stock(ordered(order), on(s1=10)).lost_units == 0


def test_inputs_leave_unknown_outcomes_and_undecided_requests_unjudged() -> None:
    history = [
        call(
            "CreateOrder",
            "o1",
            0,
            1,
            {"products": [{"PID": "p1", "quantity": -1}]},
            outcome="unknown",
        ),
        call("CreateClient", "0", 2, 3, {"name": "Ana"}, error=400),  # "0": no code in SPEC.md
        call("UpdateClient", "c1", 4, 5, {"name": "Ana"}, error=404),
    ]
    result = check_inputs(history)
    assert (result.requests, result.disagreements) == (1, 0)
