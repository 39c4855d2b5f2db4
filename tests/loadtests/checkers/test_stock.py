"""Stock: negative reads, oversold units and lost units, on hand-made histories."""

from typing import Any

from loadtests.checkers import StockResult, check_stock
from loadtests.history import Operation, Replicas, ReplicaState
from tests.loadtests.support import call


def pen(quantity: object, price: object = 2) -> dict[str, Any]:
    return {"name": "pen", "price": price, "quantity": quantity}


def lines(*items: tuple[str, int]) -> dict[str, Any]:
    return {"products": [{"PID": pid, "quantity": q} for pid, q in items]}


def finals(**stocks: int) -> Replicas:
    """Servers named by keyword, each with its final stock of p1."""
    return Replicas({name: ReplicaState("d", {"p1": q}) for name, q in stocks.items()})


def check(history: list[Operation], **stocks: int) -> StockResult:
    return check_stock(history, finals(**stocks))


def no_anomaly(result: StockResult) -> bool:
    return (result.negative_reads, result.oversold_units, result.lost_units) == (0, 0, 0)


# Histories with the anomaly


def test_a_read_with_negative_stock() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(1)),
        call("RetrieveProduct", "p1", 2, 3, pen(-2)),
        call("RetrieveProduct", "p1", 4, 5, pen("-1")),
        call("RetrieveProduct", "p1", 6, 7, pen(1)),
    ]
    result = check_stock(history)
    assert result.negative_reads == 2
    assert [e.indices for e in result.examples] == [(1,), (2,)]
    assert "returned a stock of -2" in result.examples[0].what


def test_concurrent_orders_that_sell_more_than_the_stock() -> None:
    # Two servers each validated 3 units of 5 against their own copy: both acknowledged.
    history = [
        call("CreateProduct", "p1", 0, 1, pen(5)),
        call("CreateOrder", "o1", 2, 4, lines(("p1", 3)), cid="c1"),
        call("CreateOrder", "o2", 2, 4, lines(("p1", 3)), cid="c2"),
    ]
    result = check(history, s1=2, s2=0)
    assert result.products["p1"].expected == (-1, -1)
    assert result.oversold_units == 1
    # s1 shows 2 units that were sold; s2 is at 0, all that an oversold shop can show.
    assert result.products["p1"].lost == {"s1": 2, "s2": 0}
    assert (result.lost_units, result.lost_units_by_replica) == (2, {"s1": 2, "s2": 0})
    assert [e.key for e in result.examples] == ["p1", "p1"]
    assert "took 1 units it did not have" in result.examples[0].what
    assert "s1 ends with 2 units" in result.examples[1].what


def test_a_lost_update_of_two_sales() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10)),
        call("CreateOrder", "o1", 2, 4, lines(("p1", 1)), cid="c1"),
        call("CreateOrder", "o2", 3, 5, lines(("p1", 1)), cid="c2"),
    ]
    result = check(history, s1=9, s2=8, s3=9)
    assert (result.oversold_units, result.lost_units) == (0, 1)
    assert result.lost_units_by_replica == {"s1": 1, "s2": 0, "s3": 1}


def test_a_lost_restock_of_a_deleted_order() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10)),
        call("CreateOrder", "o1", 2, 3, lines(("p1", 3))),
        call("DeleteOrder", "o1", 4, 5),
    ]
    assert check(history, s1=7).lost_units == 3


def test_update_order_moves_stock_by_the_difference() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen("10")),
        call("CreateProduct", "p2", 0, 1, pen(4.0)),
        call("CreateOrder", "o1", 2, 3, lines(("p1", 2), ("p2", 1))),
        call("UpdateOrder", "o1", 4, 5, lines(("p1", 5))),  # p2 stays at 1
        call(
            "UpdateOrder", "o1", 6, 7, [{"id": "p2", "quantity": "0"}, {"id": "p1", "quantity": 4}]
        ),
    ]
    result = check_stock(history, Replicas({"s1": ReplicaState("d", {"p1": 8, "p2": 4})}))
    assert result.products["p1"].expected == (6, 6)
    assert result.products["p2"].expected == (4, 4)
    assert result.products["p1"].lost == {"s1": 2}
    assert result.lost_units == 2


def test_the_lost_units_of_a_product_are_the_most_any_replica_lost() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10)),
        call("CreateOrder", "o1", 2, 3, lines(("p1", 4))),
    ]
    result = check(history, s1=6, s2=10, s3=7)
    assert result.lost_units == 4
    assert result.lost_units_by_replica == {"s1": 0, "s2": 4, "s3": 1}


def test_stock_set_up_before_the_history() -> None:
    history = [call("CreateOrder", "o1", 2, 3, lines(("p1", 4)))]
    result = check_stock(history, finals(s1=10), initial_stock={"p1": 10})
    assert result.products["p1"].expected == (6, 6)
    assert result.lost_units == 4


def test_an_unknown_order_widens_the_range_but_not_past_it() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10)),
        call("CreateOrder", "o1", 2, 3, lines(("p1", 2))),
        call("CreateOrder", "o2", 2, 3, lines(("p1", 3)), error=503, outcome="unknown"),
    ]
    assert check(history, s1=5).products["p1"].expected == (5, 8)
    assert no_anomaly(check(history, s1=5, s2=8))
    assert check(history, s1=4, s2=9).lost_units_by_replica == {"s1": 1, "s2": 1}


# Histories without it


def test_a_sequential_shop_that_adds_up() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10)),
        call("CreateOrder", "o1", 2, 3, lines(("p1", 2))),
        call("CreateOrder", "o2", 4, 5, lines(("p1", 20)), error=409),  # not enough stock
        call("UpdateOrder", "o1", 6, 7, lines(("p1", 5))),
        call("CreateOrder", "o3", 8, 9, lines(("p1", 5))),
        call("DeleteOrder", "o1", 10, 11),
        call("UpdateOrder", "o3", 12, 13, lines(("p1", 1)), error=403),
        call("RetrieveProduct", "p1", 14, 15, pen(5)),
    ]
    result = check(history, s1=5, s2=5)
    assert no_anomaly(result)
    assert result.products["p1"].expected == (5, 5)
    assert result.examples == ()


def test_a_restock_concurrent_with_an_order_may_come_before_or_after_it() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(5)),
        call("UpdateProduct", "p1", 2, 6, pen(100)),
        call("CreateOrder", "o1", 3, 5, lines(("p1", 4))),
        call("CreateOrder", "o2", 7, 8, lines(("p1", 1))),
    ]
    result = check(history, before=99, after=95)
    assert result.products["p1"].expected == (95, 99)
    assert no_anomaly(result)


def test_concurrent_restocks_either_may_be_last() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(5)),
        call("UpdateProduct", "p1", 2, 6, pen(50)),
        call("UpdateProduct", "p1", 3, 5, pen(70)),
        call("CreateOrder", "o1", 7, 8, lines(("p1", 1))),
    ]
    assert check(history, s1=49, s2=69).products["p1"].expected == (49, 69)


def test_an_unknown_create_that_a_later_update_proves() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10)),
        call("CreateOrder", "o1", 2, 3, lines(("p1", 2)), outcome="unknown"),
        call("UpdateOrder", "o1", 4, 5, lines(("p1", 5))),
    ]
    # It landed (the update found the order): 2, then 3 more. The range keeps the
    # create a "maybe", so it is wider than the truth but holds it.
    result = check(history, s1=5)
    assert result.products["p1"].expected == (5, 7)
    assert no_anomaly(result)


def test_an_unknown_create_of_a_taken_order_id_moves_nothing() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10)),
        call("CreateOrder", "o1", 2, 3, lines(("p1", 1))),
        call("CreateOrder", "o1", 4, 5, lines(("p1", 5)), outcome="unknown"),  # 409 for sure
    ]
    assert check(history, s1=9).products["p1"].expected == (9, 9)


def test_an_unknown_update_may_or_may_not_be_under_a_later_one() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10)),
        call("CreateProduct", "p2", 0, 1, pen(10)),
        call("CreateOrder", "o1", 2, 3, lines(("p1", 1))),
        call("UpdateOrder", "o1", 4, 5, lines(("p2", 3)), outcome="unknown"),
        call("UpdateOrder", "o1", 6, 7, lines(("p1", 2))),  # leaves p2 as it was
        call("DeleteOrder", "o1", 8, 9, outcome="unknown"),
    ]
    result = check_stock(history)
    assert result.products["p1"].expected == (8, 10)
    # p2 ends at 7 or 10; each unknown is judged on its own, so the range is wider.
    assert result.products["p2"].expected == (7, 13)


def test_products_the_history_does_not_determine_are_left_out() -> None:
    history = [call("RetrieveProduct", "p9", 0, 1, pen(3))]
    assert check_stock(history, finals(s1=3)).products == {}
