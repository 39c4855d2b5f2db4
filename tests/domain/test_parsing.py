"""SPEC.md checks that need no state: identifiers, data size, JSON shape, numbers (code 400)."""

import json
from collections.abc import Callable
from typing import Any

import pytest

from core.domain import InvalidInput
from core.domain import commands as c
from core.domain import parsing as p
from core.domain.jsontext import MAX_DATA_BYTES
from tests.domain.support import assert_sentence

CLIENT = '{"name": "Paulo"}'
PRODUCT = '{"name": "caneta", "price": "2.50", "quantity": "40"}'
ORDER = '{"products": [{"PID": "1", "quantity": 3}]}'

# Every parser that takes an ID, with valid data around it, one entry per ID field.
ID_PARSERS: dict[str, Callable[[str], object]] = {
    "create_client": lambda i: p.create_client(i, CLIENT),
    "update_client": lambda i: p.update_client(i, CLIENT),
    "delete_client": p.delete_client,
    "create_product": lambda i: p.create_product(i, PRODUCT),
    "update_product": lambda i: p.update_product(i, PRODUCT),
    "delete_product": p.delete_product,
    "create_order OID": lambda i: p.create_order(i, "1", ORDER),
    "create_order CID": lambda i: p.create_order("1", i, ORDER),
    "update_order OID": lambda i: p.update_order(i, "1", ORDER),
    "update_order CID": lambda i: p.update_order("1", i, ORDER),
    "delete_order": p.delete_order,
    "order line PID": lambda i: p.create_order("1", "1", json.dumps([{"PID": i, "quantity": 1}])),
}


def invalid(call: Callable[[], object], *mentions: str) -> str:
    """`call` raises InvalidInput with a sentence that mentions each of `mentions`."""
    with pytest.raises(InvalidInput) as caught:
        call()
    message = str(caught.value)
    assert_sentence(message)
    for mention in mentions:
        assert mention in message, (mention, message)
    return message


# Identifiers


@pytest.mark.parametrize("parse", ID_PARSERS.values(), ids=ID_PARSERS.keys())
@pytest.mark.parametrize(
    ("bad_id", "mention"),
    [
        ("", "empty"),
        ("x" * 257, "256"),
        ("a\x00b", "control"),
        ("a\nb", "control"),
        ("\t1", "control"),
        ("1\x7f", "control"),
        ("1\x85", "control"),
        ("0", "reserved"),
        ("\ud800", "surrogate"),
        ("a\udfffb", "surrogate"),
    ],
    ids=[
        "empty",
        "257 chars",
        "NUL",
        "newline",
        "tab",
        "DEL",
        "C1 NEL",
        "reserved 0",
        "lone high surrogate",
        "lone low surrogate",
    ],
)
def test_bad_ids_are_refused(parse: Callable[[str], object], bad_id: str, mention: str) -> None:
    invalid(lambda: parse(bad_id), mention)


@pytest.mark.parametrize("parse", ID_PARSERS.values(), ids=ID_PARSERS.keys())
@pytest.mark.parametrize(
    "good_id", ["1", "x" * 256, "é" * 256, "\U0001f600" * 256, "00", "-1", "caneta azul", "ü-ß"]
)
def test_good_ids_are_accepted(parse: Callable[[str], object], good_id: str) -> None:
    parse(good_id)


def test_the_id_is_carried_into_the_command() -> None:
    assert p.delete_client("C-7") == c.DeleteClient("C-7")
    assert p.delete_product("P-7") == c.DeleteProduct("P-7")
    assert p.delete_order("O-7") == c.DeleteOrder("O-7")
    assert p.create_order("O", "C", "[]") == c.CreateOrder("O", "C", ())
    assert p.update_order("O", "C", "[]") == c.UpdateOrder("O", "C", ())


def test_length_is_counted_in_characters_not_bytes() -> None:
    assert p.delete_client("é" * 256) == c.DeleteClient("é" * 256)
    invalid(lambda: p.delete_client("é" * 257), "257", "256")


# Size limit: 64 KiB of UTF-8


def _client_text(size: int, filler: str = "x") -> str:
    """A valid client JSON text of exactly `size` UTF-8 bytes (filler of 1 or 2 bytes)."""
    frame = '{"name": "P", "note": ""}'
    room = size - len(frame.encode())
    width = len(filler.encode())
    text = frame[:-2] + filler * (room // width) + "x" * (room % width) + '"}'
    assert len(text.encode()) == size
    return text


@pytest.mark.parametrize("filler", ["x", "é"], ids=["ascii", "two-byte"])
def test_data_of_exactly_64_kib_is_accepted(filler: str) -> None:
    text = _client_text(MAX_DATA_BYTES, filler)
    assert p.client_data(text) == json.loads(text)


@pytest.mark.parametrize("filler", ["x", "é"], ids=["ascii", "two-byte"])
def test_data_one_byte_over_64_kib_is_refused(filler: str) -> None:
    text = _client_text(MAX_DATA_BYTES + 1, filler)
    invalid(lambda: p.client_data(text), str(MAX_DATA_BYTES + 1), str(MAX_DATA_BYTES))


def test_limit_is_measured_in_utf8_bytes_not_characters() -> None:
    text = _client_text(MAX_DATA_BYTES + 2, "é")
    assert len(text) < MAX_DATA_BYTES
    invalid(lambda: p.client_data(text), "bytes")


def test_limit_applies_to_products_and_orders() -> None:
    padding = " " * MAX_DATA_BYTES
    invalid(lambda: p.create_product("1", PRODUCT + padding), "bytes")
    invalid(lambda: p.create_order("1", "1", ORDER + padding), "bytes")
    invalid(lambda: p.update_order("1", "1", "[]" + padding), "bytes")
    fits = "[]" + " " * (MAX_DATA_BYTES - 2)
    assert p.create_order("1", "1", fits).items == ()


# JSON shape


@pytest.mark.parametrize("text", ["", "   ", "\n"], ids=["empty", "spaces", "newline"])
@pytest.mark.parametrize("parse", [p.client_data, p.product_data, p.order_items])
def test_empty_data_is_refused(parse: Callable[[str], object], text: str) -> None:
    invalid(lambda: parse(text), "empty")


@pytest.mark.parametrize(
    "text",
    ["{", '{"name": "x",}', "{'name': 'x'}", "name=x", '{"name": "x"} extra', "[1, 2"],
)
@pytest.mark.parametrize("parse", [p.client_data, p.product_data, p.order_items])
def test_bad_json_is_refused(parse: Callable[[str], object], text: str) -> None:
    invalid(lambda: parse(text), "not valid JSON")


@pytest.mark.parametrize("text", ["[]", '[{"name": "x"}]', '"Paulo"', "3", "null", "true"])
@pytest.mark.parametrize("parse", [p.client_data, p.product_data])
def test_records_must_be_json_objects(parse: Callable[[str], object], text: str) -> None:
    invalid(lambda: parse(text), "JSON object")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    ("parse", "template"),
    [
        (p.client_data, '{{"name": "x", "score": {}}}'),
        (p.product_data, '{{"name": "x", "price": {}, "quantity": 1}}'),
        (p.product_data, '{{"name": "x", "price": 1, "quantity": {}}}'),
        (p.order_items, '[{{"id": "1", "quantity": {}}}]'),
    ],
    ids=["client extra", "price", "quantity", "order quantity"],
)
def test_nan_and_infinity_are_refused(
    parse: Callable[[str], object], template: str, constant: str
) -> None:
    invalid(lambda: parse(template.format(constant)), constant)


@pytest.mark.parametrize("number", ["1e999", "-1e999"])
def test_numbers_that_overflow_to_infinity_are_refused(number: str) -> None:
    invalid(lambda: p.client_data(f'{{"name": "x", "score": {number}}}'), "not finite")


def test_integers_too_long_to_convert_are_refused_not_crashing() -> None:
    digits = "1" * 5000
    invalid(lambda: p.client_data(f'{{"name": "x", "n": {digits}}}'), "4300 digits")
    invalid(lambda: p.order_items(f'[{{"id": "1", "quantity": {digits}}}]'), "4300 digits")


def test_deeply_nested_json_is_refused() -> None:
    depth = 10_000
    text = '{"name": "x", "deep": ' + "[" * depth + "]" * depth + "}"
    invalid(lambda: p.client_data(text), "nested")


# Clients


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        '{"nome": "Paulo"}',
        '{"name": ""}',
        '{"name": "   "}',
        '{"name": 3}',
        '{"name": null}',
        '{"name": ["Paulo"]}',
        '{"name": true}',
    ],
)
def test_client_needs_a_non_empty_string_name(text: str) -> None:
    invalid(lambda: p.client_data(text), '"name"')
    invalid(lambda: p.create_client("1", text), '"name"')
    invalid(lambda: p.update_client("1", text), '"name"')


def test_client_extra_fields_are_kept_verbatim() -> None:
    data = {"name": "Paulo", "email": "p@x.br", "age": 30, "tags": ["a", {"b": None}], "ok": True}
    command = p.create_client("7", json.dumps(data))
    assert command == c.CreateClient("7", data)
    assert p.update_client("7", json.dumps(data)) == c.UpdateClient("7", data)


# Products

_MISSING: Any = object()


def _product(**fields: Any) -> str:
    data: dict[str, Any] = {"name": "caneta", "price": "2.50", "quantity": "40"}
    data.update(fields)
    return json.dumps({k: v for k, v in data.items() if v is not _MISSING})


@pytest.mark.parametrize("field", ["name", "price", "quantity"])
def test_product_needs_name_price_and_quantity(field: str) -> None:
    invalid(lambda: p.product_data(_product(**{field: _MISSING})), f'"{field}"')


@pytest.mark.parametrize("name", ["", "  ", 3, None, True])
def test_product_name_must_be_a_non_empty_string(name: object) -> None:
    invalid(lambda: p.product_data(_product(name=name)), '"name"')


@pytest.mark.parametrize("price", [0, 2, 2.5, "2.50", "0", "007", "3", 1e15, 10**15, "0.001"])
def test_valid_prices_are_accepted_as_sent(price: object) -> None:
    text = _product(price=price)
    assert p.product_data(text)["price"] == price
    assert type(p.create_product("1", text).data["price"]) is type(price)


@pytest.mark.parametrize(
    "price",
    [
        -1,
        -0.01,
        "-0.01",
        "abc",
        "",
        "2,50",
        "NaN",
        "Infinity",
        "sNaN",
        True,
        False,
        None,
        [],
        {},
        1e300,
        "1e5000",
        10**16,
        1e15 * 1.0000001,
        "1000000000000000.1",
        # strings outside [0-9]+(\.[0-9]+)?
        ".5",
        "5.",
        "+1",
        " 2",
        "2 ",
        " 3 ",
        "1e3",
        "1e2",
        "1_000",
        "\u0661\u0662",
        "\uff15",
        "0x10",
    ],
)
def test_invalid_prices_are_refused(price: object) -> None:
    invalid(lambda: p.product_data(_product(price=price)), '"price"')
    invalid(lambda: p.update_product("1", _product(price=price)), '"price"')


@pytest.mark.parametrize("quantity", [0, 40, "40", "0", "007", 2**63 - 1, str(2**63 - 1)])
def test_valid_quantities_are_accepted_as_sent(quantity: object) -> None:
    data = p.product_data(_product(quantity=quantity))
    assert data["quantity"] == quantity
    assert type(data["quantity"]) is type(quantity)


@pytest.mark.parametrize(
    "quantity",
    [
        -1,
        "-1",
        2.5,
        "2.5",
        "abc",
        "",
        True,
        False,
        None,
        [],
        {"n": 1},
        "+5",
        "1_000",
        "\u0661\u0662",
        2**63,
        str(2**63),
        3.0,
        1e18,
        " 7 ",
        "7\n",
        "0" * 20,
        "1" * 4301,
        "1" * 4300,
    ],
)
def test_invalid_quantities_are_refused(quantity: object) -> None:
    invalid(lambda: p.product_data(_product(quantity=quantity)), '"quantity"')
    invalid(lambda: p.create_product("1", _product(quantity=quantity)), '"quantity"')


def test_product_extra_fields_are_kept() -> None:
    data = {"name": "caneta", "price": 1, "quantity": 2, "color": "azul", "sizes": [1, 2]}
    assert p.create_product("9", json.dumps(data)) == c.CreateProduct("9", data)
    assert p.update_product("9", json.dumps(data)) == c.UpdateProduct("9", data)


# Orders


def test_course_form_is_parsed() -> None:
    text = '{"products": [{"PID": "1", "quantity": 3}, {"PID": "2", "quantity": "4"}]}'
    assert p.order_items(text) == (("1", 3), ("2", 4))
    assert p.create_order("O", "C", text) == c.CreateOrder("O", "C", (("1", 3), ("2", 4)))


def test_older_list_form_is_parsed() -> None:
    text = '[{"id": "1", "quantity": "3"}, {"id": "2", "quantity": 4}]'
    assert p.order_items(text) == (("1", 3), ("2", 4))
    assert p.update_order("O", "C", text) == c.UpdateOrder("O", "C", (("1", 3), ("2", 4)))


def test_numeric_product_ids_become_strings() -> None:
    assert p.order_items('[{"id": 12, "quantity": 1}]') == (("12", 1),)


@pytest.mark.parametrize(
    "text",
    [
        '{"products": [{"PID": "1", "quantity": 2}, {"PID": "1", "quantity": "3"}]}',
        '[{"id": "1", "quantity": 2}, {"id": "1", "quantity": 3}]',
        '[{"id": "1", "quantity": 2}, {"id": 1, "quantity": 3}]',
    ],
)
def test_the_same_pid_twice_adds_up(text: str) -> None:
    assert p.order_items(text) == (("1", 5),)


def test_duplicates_keep_the_order_of_first_appearance() -> None:
    text = '[{"id": "b", "quantity": 1}, {"id": "a", "quantity": 1}, {"id": "b", "quantity": 1}]'
    assert p.order_items(text) == (("b", 2), ("a", 1))


@pytest.mark.parametrize("text", ["[]", '{"products": []}', '{"products": [], "note": "x"}'])
def test_an_empty_order_is_valid(text: str) -> None:
    assert p.order_items(text) == ()
    assert p.create_order("O", "C", text).items == ()


def test_zero_quantity_lines_are_kept_for_update() -> None:
    assert p.order_items('[{"id": "1", "quantity": 0}]') == (("1", 0),)


@pytest.mark.parametrize("course_form", [True, False], ids=["course form", "list form"])
@pytest.mark.parametrize("quantity", [-1, "-3", 1.5, "1.5", "x", "", True, None, [2]])
def test_bad_order_quantities_are_refused(quantity: object, course_form: bool) -> None:
    line = {"PID" if course_form else "id": "1", "quantity": quantity}
    text = json.dumps({"products": [line]} if course_form else [line])
    invalid(lambda: p.order_items(text), "quantity", "line 1")


def test_the_failing_line_is_named() -> None:
    text = '[{"id": "1", "quantity": 1}, {"id": "2", "quantity": -1}]'
    invalid(lambda: p.order_items(text), "line 2")


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("{}", '"products"'),
        ('{"products": "1"}', '"products"'),
        ('{"products": {"PID": "1", "quantity": 1}}', '"products"'),
        ('"1"', "list"),
        ("3", "list"),
        ("null", "list"),
        ('["1"]', "line 1"),
        ("[[1, 2]]", "line 1"),
        ('[{"quantity": 1}]', "product ID"),
        ('[{"PID": null, "quantity": 1}]', "product ID"),
        ('[{"PID": true, "quantity": 1}]', "product ID"),
        ('[{"PID": ["1"], "quantity": 1}]', "product ID"),
        ('[{"PID": "1"}]', '"quantity"'),
        ('[{"PID": "", "quantity": 1}]', "empty"),
        ('[{"PID": "0", "quantity": 1}]', "reserved"),
    ],
)
def test_malformed_orders_are_refused(text: str, mention: str) -> None:
    invalid(lambda: p.order_items(text), mention)
    invalid(lambda: p.create_order("O", "C", text), mention)


# Quantities as JSON literals: the literal decides, not the value it parses to


@pytest.mark.parametrize("literal", ["3.0", "1e18", "1E3", "3e0", "30e-1"])
def test_a_quantity_with_a_fraction_or_an_exponent_is_refused(literal: str) -> None:
    product = f'{{"name": "c", "price": 1, "quantity": {literal}}}'
    invalid(lambda: p.product_data(product), '"quantity"', "no fraction or exponent")
    invalid(lambda: p.order_items(f'[{{"PID": "1", "quantity": {literal}}}]'), "line 1")


@pytest.mark.parametrize("quantity", ["9223372036854775807", '"9223372036854775807"'])
def test_the_largest_quantity_is_accepted(quantity: str) -> None:
    product = f'{{"name": "c", "price": 1, "quantity": {quantity}}}'
    assert p.product_data(product)["quantity"] == json.loads(quantity)
    assert p.order_items(f'[{{"PID": "1", "quantity": {quantity}}}]') == (("1", 2**63 - 1),)


def test_a_quantity_string_of_4301_digits_is_refused_like_one_of_20() -> None:
    for digits in (20, 4300, 4301, 60_000):
        text = f'{{"name": "c", "price": 1, "quantity": "{"1" * digits}"}}'
        message = invalid(lambda: p.product_data(text), "19 ASCII digits")  # noqa: B023
        assert len(message) < 300, "a refusal quotes a long value shortened"


def test_a_price_of_exactly_the_bound_is_accepted() -> None:
    for price in ("1000000000000000", "1000000000000000.0", 10**15, 1e15):
        assert p.product_data(_product(price=price))["price"] == price


def test_order_lines_summing_past_the_bound_are_refused() -> None:
    half = 2**62
    text = json.dumps([{"PID": "1", "quantity": half}, {"PID": "1", "quantity": half}])
    invalid(lambda: p.order_items(text), "quantity", str(2**63 - 1))
