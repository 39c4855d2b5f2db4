"""Which own message to replay when it comes back, with own_effects = both.

With `both`, a server applies its own effects at once and again when the broker
delivers them back, so that it ends up with the broker's order like every other
server. Replaying every returning message would be wrong: when a server writes one
record twice in a row, the first message comes back after the second write was
applied, and replaying it would put the older record back, so the server's next
write would be validated against a state without its own previous write (buyers of
one server could then oversell). Only the server's latest message for a record is
replayed; an older one is skipped, since the later one follows it in the broker's
order (one publisher, one topic) and is replayed in its turn.
"""

import threading
from collections.abc import Iterable

from core.domain import Effect


class InFlight:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[tuple[str, str], str] = {}  # (table, key) -> message id

    def sent(self, messages: Iterable[tuple[Effect, str]]) -> None:
        with self._lock:
            for effect, message_id in messages:
                self._latest[effect.table, effect.key] = message_id

    def replay(self, effect: Effect, message_id: str) -> bool:
        """True when `message_id` is this server's latest for its record: apply it again."""
        with self._lock:
            if self._latest.get((effect.table, effect.key)) != message_id:
                return False
            del self._latest[effect.table, effect.key]
            return True
