"""Remembering which messages were applied, so a QoS 1 redelivery is applied once.

Effects carry whole records, so applying a message twice is not harmless: a late
duplicate of an older update puts the older record back over a newer one. A
replica therefore keeps the ids of the last `capacity` messages it saw and drops a
message whose id is among them. A duplicate that arrives after `capacity` newer
messages would be applied again; QoS 1 redelivers within one session, long before.
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
