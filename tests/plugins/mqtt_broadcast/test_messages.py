"""The wire format: the seed's {"op", "key", "data"} plus the id and origin envelope."""

import json

import pytest

from core.domain import Effect
from plugins.mqtt_broadcast.messages import (
    BadMessage,
    Envelope,
    decode,
    encode,
    origin_token,
    topic,
)

ORDER = {"CID": "c1", "products": [{"PID": "p1", "quantity": 2, "price": "2.50"}]}


@pytest.mark.parametrize(
    "effect",
    [
        Effect("clients", "ADD", "c1", {"name": "Paulo", "extra": [1, {"ç": None}]}),
        Effect("products", "UPDATE", "p1", {"name": "caneta", "price": "2.50", "quantity": 40}),
        Effect("orders", "ADD", "o1", ORDER),
        Effect("orders", "DELETE", "o1", {}),
    ],
)
def test_a_message_decodes_to_the_effect_it_encodes(effect: Effect) -> None:
    payload = encode(effect, "s1.ab:7", "s1.ab")
    assert decode(effect.table, payload) == Envelope(effect, "s1.ab:7", "s1.ab")


def test_the_payload_is_the_seed_message_with_two_envelope_fields() -> None:
    effect = Effect("products", "ADD", "p1", {"name": "caneta", "price": 2.5, "quantity": "40"})
    document = json.loads(encode(effect, "s1.ab:1", "s1.ab"))
    assert document == {**effect.message(), "id": "s1.ab:1", "origin": "s1.ab"}
    assert {key: document[key] for key in ("op", "key", "data")} == {
        "op": "ADD",
        "key": "p1",
        "data": {"name": "caneta", "price": 2.5, "quantity": "40"},
    }


def test_a_seed_message_without_envelope_is_applied_without_an_id() -> None:
    payload = json.dumps({"op": "ADD", "key": "c1", "data": {"name": "Ana"}}).encode()
    assert decode("clients", payload) == Envelope(Effect("clients", "ADD", "c1", {"name": "Ana"}))


def test_a_delete_carries_no_data_whatever_was_sent() -> None:
    payload = json.dumps({"op": "DELETE", "key": "c1", "data": {"name": "Ana"}}).encode()
    assert decode("clients", payload).effect == Effect("clients", "DELETE", "c1", {})


@pytest.mark.parametrize(
    ("table", "payload"),
    [
        ("clients", b"{not json"),
        ("clients", b"\xff\xfe"),
        ("clients", b'["ADD", "c1"]'),
        ("clients", b'{"op": "INSERT", "key": "c1", "data": {}}'),
        ("clients", b'{"key": "c1", "data": {}}'),
        ("clients", b'{"op": "ADD", "key": "", "data": {}}'),
        ("clients", b'{"op": "ADD", "key": 7, "data": {}}'),
        ("clients", b'{"op": "ADD", "key": "c1", "data": "Ana"}'),
        ("clients", b'{"op": "ADD", "key": "c1", "data": {}, "id": 5}'),
        ("orders", b'{"op": "ADD", "key": "o1", "data": {"products": []}}'),
        ("orders", b'{"op": "ADD", "key": "o1", "data": {"CID": "c1", "products": {}}}'),
        ("orders", b'{"op": "UPDATE", "key": "o1", "data": {"CID": "c1", "products": [{}]}}'),
        ("payments", b'{"op": "ADD", "key": "x", "data": {}}'),
    ],
)
def test_what_a_replica_could_not_apply_is_refused(table: str, payload: bytes) -> None:
    with pytest.raises(BadMessage):
        decode(table, payload)


def test_topics_sit_under_the_prefix_and_an_empty_prefix_gives_the_seeds_topics() -> None:
    assert topic("shop/eu", "orders") == "shop/eu/orders"
    assert topic("", "orders") == "orders"


def test_an_origin_is_a_single_topic_level_whatever_the_node_is_called() -> None:
    origin = origin_token("admin/1 +#", "ab12")
    assert origin == "admin_1___.ab12"
    assert not set("/+#") & set(origin)
