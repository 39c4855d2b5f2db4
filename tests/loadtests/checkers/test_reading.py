"""The checkers' own reading of a request, case by case from SPEC.md's "Input, exactly"."""

from typing import Any

import pytest

from loadtests.checkers.reading import (
    Invalid,
    Undecided,
    Valid,
    client_data,
    identifier,
    new_identifier,
    order_lines,
    price,
    product_data,
    quantity,
)


def course(*lines: tuple[Any, Any]) -> dict[str, Any]:
    return {"products": [{"PID": pid, "quantity": q} for pid, q in lines]}


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (course(("p1", 3)), {"p1": 3}),
        (course(("p1", 2), ("p1", 3)), {"p1": 5}),  # the same PID twice adds up
        (course(("p1", "2"), ("p2", 0), ("p1", 1)), {"p1": 3, "p2": 0}),
        ([{"id": "p1", "quantity": "3"}, {"id": "p1", "quantity": 4}], {"p1": 7}),
        ({"products": []}, {}),
        ([], {}),
        (course(("p1", 2**63 - 1)), {"p1": 2**63 - 1}),
        (course(("p1", "9" * 18)), {"p1": int("9" * 18)}),
        ({"products": [{"PID": "p1", "quantity": 1, "name": "pen"}]}, {"p1": 1}),
    ],
)
def test_orders_spec_allows(data: Any, lines: dict[str, int]) -> None:
    assert order_lines(data) == Valid(lines)


@pytest.mark.parametrize(
    "data",
    [
        course(("p1", -1)),
        course(("p1", "-1")),
        course(("p1", 3.0)),
        course(("p1", "3.0")),
        course(("p1", 1e18)),
        course(("p1", True)),
        course(("p1", " 2")),
        course(("p1", "+2")),
        course(("p1", "٣")),  # a digit of another script
        course(("p1", 2**63)),
        course(("p1", "1" * 20)),
        course(("p1", None)),
        course((1, 3)),  # a PID must be a string
        course(("", 3)),
        course(("p\x00", 3)),
        course(("p" * 257, 3)),
        {"products": [{"id": "p1", "quantity": 1}]},  # each form names its own key
        [{"PID": "p1", "quantity": 1}],
        {"products": [{"PID": "p1"}]},
        {"products": ["p1"]},
        {"products": {"PID": "p1", "quantity": 1}},
        {"lines": []},
        "{not json",
        42,
        {"products": [], "deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
        {"products": [], "note": "\ud800"},
        {"products": [], "n": float("nan")},
        {"products": [], "pad": "x" * (64 * 1024)},
    ],
)
def test_orders_spec_refuses(data: Any) -> None:
    assert isinstance(order_lines(data), Invalid)


def test_nesting_up_to_32_levels_is_allowed() -> None:
    def nested(levels: int) -> Any:
        value: Any = {}
        for _ in range(levels - 2):  # the order object is level 1, the innermost {} counts
            value = [value]
        return {"products": [], "x": value}

    assert order_lines(nested(32)) == Valid({})
    assert isinstance(order_lines(nested(33)), Invalid)


def test_a_text_near_the_size_limit_is_undecided() -> None:
    assert isinstance(order_lines({"products": [], "pad": "x" * (60 * 1024)}), Undecided)


@pytest.mark.parametrize("value", [0, "0", 5, "007", 2**63 - 1, str(2**63 - 1)])
def test_quantities(value: Any) -> None:
    assert quantity("q", value) == Valid(int(value))


@pytest.mark.parametrize("value", [2, 2.5, "2", "2.50", "007", 0, 1e15, "1000000000000000"])
def test_prices_spec_allows(value: Any) -> None:
    assert price("p", value) == Valid(float(value))


@pytest.mark.parametrize("value", [".5", "5.", "+1", " 2", "1e3", "1_000", -1, 1e16, 10**400, True])
def test_prices_spec_refuses(value: Any) -> None:
    assert isinstance(price("p", value), Invalid)


def test_products_and_clients() -> None:
    pen = {"name": "pen", "price": "2.50", "quantity": "40", "colour": "blue"}
    assert product_data(pen) == Valid(pen)
    assert isinstance(product_data({**pen, "quantity": -1}), Invalid)
    assert isinstance(product_data({"name": "pen", "price": 1}), Invalid)
    assert isinstance(product_data({**pen, "name": 3}), Invalid)
    assert client_data({"name": "Ana", "age": 3}) == Valid({"name": "Ana", "age": 3})
    assert isinstance(client_data({"nome": "Ana"}), Invalid)
    assert isinstance(client_data(["Ana"]), Invalid)
    assert isinstance(client_data({"name": " "}), Undecided)


def test_identifiers() -> None:
    assert identifier("ID", "c1") == Valid("c1")
    assert identifier("ID", "é" * 256) == Valid("é" * 256)
    for bad in ("", "a\nb", "\ud800", "x" * 257, 7, None):
        assert isinstance(identifier("ID", bad), Invalid), bad
    assert identifier("ID", "0") == Valid("0")
    assert isinstance(new_identifier("ID", "0"), Undecided)
