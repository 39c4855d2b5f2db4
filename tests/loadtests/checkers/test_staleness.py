"""Stale reads: reads that miss a write acknowledged before they started."""

import pytest

from loadtests.checkers import StalenessResult, check_staleness
from loadtests.history import Operation
from tests.loadtests.support import call

A, B = {"name": "Ana"}, {"name": "Bia"}


def pen(quantity: int, price: int = 2) -> dict[str, object]:
    return {"name": "pen", "price": price, "quantity": quantity}


def order(pid: str, quantity: int) -> dict[str, object]:
    return {"products": [{"PID": pid, "quantity": quantity}]}


def view(oid: str, cid: str, *lines: tuple[str, int]) -> dict[str, object]:
    products = [{"PID": p, "name": "pen", "quantity": q, "price": 2} for p, q in lines]
    return {"OID": oid, "CID": cid, "products": products, "total": 2 * sum(q for _, q in lines)}


def stale_reads(result: StalenessResult) -> list[tuple[int, ...]]:
    """Each stale read as (read, the write it missed), by position in the history."""
    return [tuple(sorted(e.indices, reverse=True)) for e in result.examples]


def assert_fresh(history: list[Operation]) -> None:
    result = check_staleness(history)
    assert (result.stale, result.unexplained, result.examples) == (0, 0, ())


# Histories with the anomaly


def test_a_read_on_another_server_still_sees_the_old_client() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("UpdateClient", "c1", 2, 3, B),
        call("RetrieveClient", "c1", 3.25, 4, A),
        call("RetrieveClient", "c1", 5, 6, B),
    ]
    result = check_staleness(history)
    assert (result.reads, result.stale, result.unexplained, result.share) == (2, 1, 0, 0.5)
    assert stale_reads(result) == [(2, 1)]
    assert result.lag is not None and result.lag.max == 0.25
    assert result.stale_by_op == {"RetrieveClient": 1}
    assert "missed a write acknowledged 250.000 ms before it started" in result.examples[0].what


def test_a_read_that_still_finds_a_deleted_client() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("DeleteClient", "c1", 2, 3),
        call("RetrieveClient", "c1", 5, 6, A),
    ]
    assert stale_reads(check_staleness(history)) == [(2, 1)]


def test_a_read_that_does_not_yet_find_a_created_client() -> None:
    history = [call("CreateClient", "c1", 0, 1, A), call("RetrieveClient", "c1", 2, 3, None)]
    assert stale_reads(check_staleness(history)) == [(1, 0)]


def test_the_missed_write_is_the_first_after_the_value_read() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("UpdateClient", "c1", 2, 3, B),
        call("UpdateClient", "c1", 4, 5, {"name": "Cid"}),
        call("RetrieveClient", "c1", 9, 10, A),
    ]
    result = check_staleness(history)
    assert stale_reads(result) == [(3, 1)]
    assert result.lag is not None and result.lag.max == 6


def test_a_product_read_that_misses_an_acknowledged_order() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10)),
        call("CreateOrder", "o1", 2, 3, order("p1", 2)),
        call("CreateOrder", "o2", 4, 5, order("p1", 3)),
        call("RetrieveProduct", "p1", 6, 7, pen(8)),  # saw o1, not o2
        call("RetrieveProduct", "p1", 6, 7, pen(10)),  # saw neither
        call("RetrieveProduct", "p1", 6, 7, pen(5)),
    ]
    result = check_staleness(history)
    assert stale_reads(result) == [(3, 2), (4, 1)]
    # A drawing singles out both: the stale read and the acknowledged order it missed.
    assert [e.highlight for e in result.examples] == [(2, 3), (1, 4)]
    assert result.lag is not None and (result.lag.p50, result.lag.max) == (1, 3)


def test_a_product_read_that_misses_an_acknowledged_price_change() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(10, price=2)),
        call("UpdateProduct", "p1", 2, 3, pen(10, price=3)),
        call("RetrieveProduct", "p1", 4, 5, pen(10, price=2)),
    ]
    assert stale_reads(check_staleness(history)) == [(2, 1)]


def test_a_product_read_that_misses_a_restock() -> None:
    history = [
        call("CreateProduct", "p1", 0, 1, pen(1)),
        call("UpdateProduct", "p1", 2, 3, pen(50)),
        call("RetrieveProduct", "p1", 4, 5, pen(1)),
    ]
    assert stale_reads(check_staleness(history)) == [(2, 1)]


def test_an_order_read_that_misses_an_update() -> None:
    history = [
        call("CreateOrder", "o1", 0, 1, order("p1", 2), cid="c1"),
        call("UpdateOrder", "o1", 2, 3, order("p2", 1), cid="c1"),
        call("RetrieveOrder", "o1", 4, 5, view("o1", "c1", ("p1", 2))),
        call("RetrieveOrder", "o1", 4, 5, view("o1", "c1", ("p1", 2), ("p2", 1))),
    ]
    assert stale_reads(check_staleness(history)) == [(2, 1)]


def test_a_read_of_a_value_nobody_wrote_is_unexplained_not_stale() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("RetrieveClient", "c1", 2, 3, {"name": "Eve"}),
        call("RetrieveClient", "c9", 2, 3, {"name": "Eve"}),  # never written at all
        call("RetrieveClient", "c1", 0.5, 0.75, B),  # written only later
        call("UpdateClient", "c1", 4, 5, B),
    ]
    result = check_staleness(history)
    assert (result.reads, result.stale, result.unexplained, result.lag) == (3, 0, 3, None)


def test_the_lag_distribution_is_by_nearest_rank() -> None:
    history = [call("CreateClient", "c1", 0, 1, A), call("UpdateClient", "c1", 2, 3, B)]
    history += [call("RetrieveClient", "c1", 3 + lag, 10, A) for lag in range(1, 101)]
    result = check_staleness(history)
    assert result.stale == 100
    assert result.lag is not None
    assert (result.lag.p50, result.lag.p99, result.lag.max) == (50, 99, 100)
    assert len(result.examples) == 5


# Histories without it


def test_reads_concurrent_with_a_write_may_see_either_value() -> None:
    assert_fresh(
        [
            call("CreateClient", "c1", 0, 1, A),
            call("UpdateClient", "c1", 2, 10, B),
            call("RetrieveClient", "c1", 3, 4, B),
            call("RetrieveClient", "c1", 5, 6, A),  # not linearizable, but not stale
            call("RetrieveClient", "c1", 9, 11, A),
        ]
    )


def test_a_read_started_before_the_write_completed_may_miss_it() -> None:
    assert_fresh(
        [
            call("CreateClient", "c1", 0, 1, A),
            call("UpdateClient", "c1", 2, 3, B),
            call("RetrieveClient", "c1", 2.5, 4, A),
            call("RetrieveClient", "c1", 3, 4, A),  # a tie counts as overlapping
        ]
    )


def test_overlapping_writes_either_may_be_the_latest() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("UpdateClient", "c1", 2, 6, B),
        call("UpdateClient", "c1", 3, 5, {"name": "Cid"}),
        call("RetrieveClient", "c1", 7, 8, B),
        call("RetrieveClient", "c1", 7, 8, {"name": "Cid"}),
    ]
    assert_fresh(history)
    history.append(call("RetrieveClient", "c1", 7, 8, A))
    assert stale_reads(check_staleness(history)) == [(5, 2)]


@pytest.mark.parametrize("seen", [A, B])
def test_an_unknown_write_may_be_seen_or_not(seen: dict[str, str]) -> None:
    assert_fresh(
        [
            call("CreateClient", "c1", 0, 1, A),
            call("UpdateClient", "c1", 2, 3, B, error=503, outcome="unknown"),
            call("RetrieveClient", "c1", 4, 5, seen),
            call("RetrieveClient", "c1", 6, 7, A),
        ]
    )


def test_refused_writes_write_nothing() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("CreateClient", "c1", 2, 3, B, error=409),
        call("UpdateClient", "c1", 4, 5, B, error=503),
        call("RetrieveClient", "c1", 6, 7, A),
    ]
    assert_fresh(history)


def test_product_reads_concurrent_with_orders_and_restocks() -> None:
    assert_fresh(
        [
            call("CreateProduct", "p1", 0, 1, pen(10)),
            call("CreateOrder", "o1", 2, 5, order("p1", 2)),
            call("CreateOrder", "o2", 2, 3, order("p1", 3), outcome="unknown"),
            call("RetrieveProduct", "p1", 4, 6, pen(10)),  # neither yet
            call("RetrieveProduct", "p1", 4, 6, pen(5)),
            call("RetrieveProduct", "p1", 4, 6, pen(8)),
            call("RetrieveProduct", "p1", 6, 7, pen(8)),  # o1 done; o2 may not land
            call("UpdateProduct", "p1", 8, 10, pen(50)),
            call("CreateOrder", "o3", 9, 11, order("p1", 1)),
            call("RetrieveProduct", "p1", 12, 13, pen(49)),
            call("RetrieveProduct", "p1", 12, 13, pen(50)),  # o3 came before the restock
            call("UpdateOrder", "o1", 14, 15, order("p1", 1)),
            call("RetrieveProduct", "p1", 16, 17, pen(50)),
        ]
    )


def test_products_set_up_before_the_history() -> None:
    history = [
        call("RetrieveProduct", "p1", 0, 1, {"name": "setup", "price": 1, "quantity": 7}),
        call("CreateOrder", "o1", 2, 3, order("p1", 2)),
        call("RetrieveProduct", "p1", 4, 5, {"name": "setup", "price": 1, "quantity": 5}),
    ]
    result = check_staleness(history, initial_stock={"p1": 7})
    assert (result.reads, result.stale, result.unexplained) == (2, 0, 0)
    history.append(call("RetrieveProduct", "p1", 6, 7, {"name": "setup", "quantity": 7}))
    assert stale_reads(check_staleness(history, initial_stock={"p1": 7})) == [(3, 1)]


@pytest.mark.parametrize("landed", [True, False])
def test_order_reads_after_an_unknown_update(landed: bool) -> None:
    held = (("p1", 2), ("p2", 1)) if landed else (("p1", 2),)
    assert_fresh(
        [
            call("CreateOrder", "o1", 0, 1, order("p1", 1), cid="c1"),
            call("UpdateOrder", "o1", 2, 3, order("p2", 1), cid="c1", outcome="unknown"),
            call("UpdateOrder", "o1", 4, 5, order("p1", 2), cid="c1"),
            call("RetrieveOrder", "o1", 6, 7, view("o1", "c1", *held)),
        ]
    )


def test_order_reads_through_the_life_of_an_order() -> None:
    assert_fresh(
        [
            call("RetrieveOrder", "o1", 0, 1, None),
            call("CreateOrder", "o1", 2, 3, order("p1", 2), cid="c1"),
            call("RetrieveOrder", "o1", 4, 5, view("o1", "c1", ("p1", 2))),
            call("UpdateOrder", "o1", 6, 7, order("p1", 0), cid="c1"),
            call("RetrieveOrder", "o1", 8, 9, view("o1", "c1")),
            call("DeleteOrder", "o1", 10, 11),
            call("RetrieveOrder", "o1", 12, 13, None),
        ]
    )
