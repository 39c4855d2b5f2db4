"""The course's record shapes, both ways (`course_wire`), and how `messages` uses them."""

import json
from typing import Any

import pytest

from core.domain import Effect
from plugins.mqtt_broadcast.course_wire import course_data, from_course, name_lines
from plugins.mqtt_broadcast.messages import BadMessage, Envelope, decode, encode
from tests.plugins.mqtt_broadcast import course_shapes as course

CLIENT = Effect("clients", "ADD", "7", {"name": "Ana", "CID": "mine", "tags": [1]})
PRODUCT = Effect("products", "UPDATE", "p1", {"name": "caneta", "price": 2.5, "quantity": 40})
LINES = [{"PID": "p1", "name": "caneta", "quantity": 3, "price": 2.5}]
ORDER = Effect("orders", "ADD", "o1", {"CID": "7", "products": LINES})


def _course_reads(effect: Effect, course_wire: bool) -> course.CourseTables:
    tables = course.CourseTables()
    tables.receive(effect.table, encode(effect, "s1.ab:1", "s1.ab", course_wire))
    return tables


def test_with_wire_course_the_courses_servers_find_what_they_read() -> None:
    assert _course_reads(CLIENT, True).retrieve_client("7") == ("7", {"nome": "Ana"})
    assert _course_reads(PRODUCT, True).stock("p1") == 40
    assert _course_reads(ORDER, True).order_lines("o1") == ("o1", "7", [("p1", 3, "2.5")])


def test_without_it_their_reads_fail_as_the_issue_found() -> None:
    plain = Effect("clients", "ADD", "7", {"name": "Ana"})
    with pytest.raises(KeyError, match="CID"):
        _course_reads(plain, False).retrieve_client("7")
    with pytest.raises(KeyError, match="OID"):
        _course_reads(ORDER, False).order_lines("o1")


def test_their_data_is_in_their_types_and_ours_rides_beside_it_unchanged() -> None:
    document = json.loads(encode(PRODUCT, "s1.ab:1", "s1.ab", course=True))
    assert document["data"] == {"name": "caneta", "price": "2.5", "quantity": "40", "PID": "p1"}
    assert document["record"] == PRODUCT.data
    for effect in (CLIENT, PRODUCT, ORDER):
        payload = encode(effect, "s1.ab:1", "s1.ab", course=True)
        assert decode(effect.table, payload) == Envelope(effect, "s1.ab:1", "s1.ab")


@pytest.mark.parametrize(
    ("price", "text"), [(2.5, "2.5"), (1250, "1250"), (1e-07, "0.0000001"), ("007", "007")]
)
def test_prices_become_the_plain_decimal_text_both_sides_parse(price: object, text: str) -> None:
    product = Effect("products", "ADD", "p1", {"name": "x", "price": price, "quantity": "4"})
    assert course_data(product)["price"] == text
    assert course_data(product)["quantity"] == "4"


def test_a_delete_is_the_seeds_delete() -> None:
    document = json.loads(encode(Effect("clients", "DELETE", "7", {}), "s.a:1", "s.a", True))
    assert (document["op"], document["key"], document["data"]) == ("DELETE", "7", {})
    assert "record" not in document


def _from_course(table: str, message: dict[str, Any]) -> Envelope:
    return decode(table, json.dumps(message).encode())


def test_their_client_is_stored_as_their_user_sent_it() -> None:
    envelope = _from_course("clients", course.client_added("7", "Ana"))
    assert envelope == Envelope(Effect("clients", "ADD", "7", {"name": "Ana"}))


def test_an_id_field_that_is_not_the_key_is_kept_verbatim() -> None:
    assert from_course("clients", "7", {"CID": "8", "name": "Ana"}) == {"CID": "8", "name": "Ana"}


def test_their_product_keeps_their_strings_without_its_pid() -> None:
    message = course.product_message("UPDATE", "p1", "caneta", "2.5", 5)
    assert _from_course("products", message).effect == Effect(
        "products", "UPDATE", "p1", {"name": "caneta", "price": "2.5", "quantity": "5"}
    )


def test_their_order_becomes_ours_and_its_lines_are_named_when_applied() -> None:
    message = course.order_added("o1", "7", [("p1", "2.50", 3), ("p2", "3", 1)])
    effect = _from_course("orders", message).effect
    assert effect.data == {
        "CID": "7",
        "products": [
            {"PID": "p1", "quantity": 3, "price": 2.5},
            {"PID": "p2", "quantity": 1, "price": 3},
        ],
    }
    named = name_lines(effect, {"p1": "caneta", "p2": "lapis"}.__getitem__)
    assert [line["name"] for line in named.data["products"]] == ["caneta", "lapis"]
    assert list(named.data["products"][0]) == ["PID", "name", "quantity", "price"]


def test_their_delete_has_no_data() -> None:
    assert _from_course("orders", course.deleted("o1")).effect == Effect(
        "orders", "DELETE", "o1", {}
    )


@pytest.mark.parametrize(
    ("table", "data"),
    [
        ("products", {"PID": "p1", "price": "2.5", "quantity": "5"}),
        ("products", {"name": "x", "price": "-1", "quantity": "5"}),
        ("products", {"name": "x", "price": "2.5", "quantity": "2.0"}),
        ("orders", {"OID": "o1", "products": []}),
        ("orders", {"CID": "7", "products": [{"PID": "p1", "price": "2", "quantity": "x"}]}),
        ("orders", {"CID": "7", "products": [{"price": "2", "quantity": "1"}]}),
        ("orders", {"CID": "7", "products": ["p1"]}),
    ],
)
def test_what_our_rules_could_not_read_is_refused(table: str, data: dict[str, Any]) -> None:
    with pytest.raises(BadMessage):
        _from_course(table, {"op": "ADD", "key": "k", "data": data})
