"""Remembering which messages were applied, so a QoS 1 redelivery is applied once.

Effects carry whole records, so applying a message twice is not harmless: a late
duplicate of an older update puts the older record back over a newer one. A
replica therefore keeps the ids of the last `capacity` messages it saw and drops a
message whose id is among them. A duplicate that arrives after `capacity` newer
messages would be applied again; QoS 1 redelivers within one session, long before.

Messages without an id (the course's own servers, any seed-format publisher) are
applied every time they arrive. Nothing else is both possible and safe. Their content
cannot stand in for an id: a record legitimately takes a value it had before (a
product's stock goes 8, 5, 8 when an order takes 3 and is deleted), so "seen this record"
would drop real writes. It is also not needed. The course's servers publish at QoS 0
(paho's default; they pass no qos), so the broker delivers each of their messages at
most once and never redelivers one later. Delivered once, a whole-record effect sets
the record to what its publisher meant, in the broker's order, like any other message.
A seed-format publisher at QoS 1 could see a redelivery after a reconnection; its
messages carry nothing to tell one apart from a new write, so a redelivery is applied
again: the divergence window the seed's design has, visible in the digests.
"""

from collections import OrderedDict

DEFAULT_CAPACITY = 1 << 16


class SeenIds:
    """The most recent message ids, bounded; used from the MQTT network thread only."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self._capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, message_id: str) -> bool:
        """Record `message_id`; False when it was already recorded (a duplicate)."""
        if message_id in self._ids:
            return False
        self._ids[message_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._ids)
