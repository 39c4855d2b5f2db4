"""Lost updates: read-modify-writes derived from a read that missed an acknowledged write."""

from loadtests.checkers import LostUpdatesResult, check_lost_updates
from tests.loadtests.support import call


def v(n: int, writer: str) -> dict[str, object]:
    return {"name": "Ana", "writer": writer, "version": n}


def found(result: LostUpdatesResult) -> tuple[int, int]:
    return result.read_modify_writes, result.lost


# Histories with the anomaly


def test_a_write_based_on_a_read_that_missed_an_acknowledged_update() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, {"name": "Ana"}, process="setup"),
        call("RetrieveClient", "c1", 2, 3, {"name": "Ana"}, process="a"),
        call("UpdateClient", "c1", 3.1, 4, v(1, "a"), process="a"),
        call("RetrieveClient", "c1", 5, 6, {"name": "Ana"}, process="b"),
        call("UpdateClient", "c1", 6.1, 7, v(1, "b"), process="b"),
    ]
    result = check_lost_updates(history)
    assert found(result) == (2, 1)
    (e,) = result.examples
    assert (e.indices, e.highlight, e.key) == ((2, 3, 4), (2, 3), "c1")
    assert e.what.startswith("b's UpdateClient of 'c1' wrote version 1 from a read that missed")


def test_a_product_write_based_on_an_old_price() -> None:
    pen = {"name": "pen", "price": 2, "quantity": 5}
    history = [
        call("CreateProduct", "p1", 0, 1, pen, process="setup"),
        call("UpdateProduct", "p1", 2, 3, {**pen, "price": 3}, process="c"),
        call("RetrieveProduct", "p1", 4, 5, pen, process="a"),
        call("UpdateProduct", "p1", 5.1, 6, {**pen, "writer": "a", "version": 1}, process="a"),
    ]
    assert found(check_lost_updates(history)) == (1, 1)


# Histories without it


def test_racing_read_modify_writes_overwrite_each_other_legally() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, v(4, "s"), process="setup"),
        call("RetrieveClient", "c1", 2, 3, v(4, "s"), process="a"),
        call("RetrieveClient", "c1", 2.5, 3.5, v(4, "s"), process="b"),
        call("UpdateClient", "c1", 4, 5, v(5, "a"), process="a"),
        call("UpdateClient", "c1", 4.5, 5.5, v(5, "b"), process="b"),
        call("RetrieveClient", "c1", 6, 7, v(5, "b"), process="a"),
        call("UpdateClient", "c1", 7.1, 8, v(6, "a"), process="a"),
    ]
    assert found(check_lost_updates(history)) == (3, 0)


def test_a_write_that_is_not_derived_from_the_read_before_it_is_not_judged() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, {"name": "Ana"}, process="setup"),
        call("UpdateClient", "c1", 2, 3, {"name": "Bia"}, process="b"),
        call("RetrieveClient", "c1", 4, 5, {"name": "Ana"}, process="a"),
        call("UpdateClient", "c1", 6, 7, v(7, "a"), process="a"),  # not version 0 + 1
        call("RetrieveClient", "c1", 8, 9, {"name": "Ana"}, process="c"),
        call("UpdateClient", "c1", 10, 11, {"name": "Cid", "version": 1}, process="c"),
    ]
    assert found(check_lost_updates(history)) == (0, 0)


def test_a_refused_or_unknown_write_loses_nothing_acknowledged() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, {"name": "Ana"}, process="setup"),
        call("UpdateClient", "c1", 2, 3, {"name": "Bia"}, process="b", outcome="unknown"),
        call("RetrieveClient", "c1", 4, 5, {"name": "Ana"}, process="a"),
        call("UpdateClient", "c1", 5.1, 6, v(1, "a"), process="a"),
        call("RetrieveClient", "c1", 7, 8, {"name": "Ana"}, process="c"),
        call("UpdateClient", "c1", 8.1, 9, v(1, "c"), process="c", error=503),
    ]
    assert found(check_lost_updates(history)) == (1, 0)
