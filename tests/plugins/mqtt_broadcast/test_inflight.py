"""With own_effects = both, only a server's latest own message for a record is replayed."""

from core.domain import Effect
from plugins.mqtt_broadcast.inflight import InFlight

FIRST = Effect("products", "UPDATE", "p1", {"name": "pen", "price": 1, "quantity": 9})
SECOND = Effect("products", "UPDATE", "p1", {"name": "pen", "price": 1, "quantity": 8})
ORDER = Effect("orders", "ADD", "o1", {"CID": "c1", "products": []})


def test_an_older_own_message_is_not_replayed_over_a_later_write() -> None:
    inflight = InFlight()
    inflight.sent([(FIRST, "m1")])
    inflight.sent([(SECOND, "m2")])
    assert not inflight.replay(FIRST, "m1"), "it would put quantity 9 back over 8"
    assert inflight.replay(SECOND, "m2")


def test_each_record_is_followed_on_its_own() -> None:
    inflight = InFlight()
    inflight.sent([(FIRST, "m1"), (ORDER, "m2")])
    assert inflight.replay(ORDER, "m2")
    assert inflight.replay(FIRST, "m1")


def test_a_message_is_replayed_once() -> None:
    inflight = InFlight()
    inflight.sent([(FIRST, "m1")])
    assert inflight.replay(FIRST, "m1")
    assert not inflight.replay(FIRST, "m1")
