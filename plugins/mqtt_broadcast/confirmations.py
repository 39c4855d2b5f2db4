"""Waiting for a write's own messages to come back from the broker.

A writer knows the broker took its messages once the broker delivers them back (it
subscribes to its own topics). `Confirmations` matches those deliveries, seen by the
MQTT network thread, with the request thread that waits. When the connection drops,
every pending wait ends at once rather than at its timeout, and until the
subscriptions are back new waits end immediately: the writer then knows that
publishing would only queue its messages in the client.
"""

import threading
from collections.abc import Iterable
from enum import Enum


class Delivery(Enum):
    CONFIRMED = "confirmed"
    TIMED_OUT = "timed out"
    DISCONNECTED = "disconnected"


class Ticket:
    """One write's messages, not yet all back."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.pending = set(ids)
        self.result: Delivery | None = None
        self.done = threading.Event()

    def finish(self, result: Delivery) -> None:
        self.result = result
        self.done.set()


class Confirmations:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[str, Ticket] = {}
        self._open = False

    def open(self) -> None:
        """Subscribed again: messages published from now on will come back."""
        with self._lock:
            self._open = True

    def expect(self, ids: Iterable[str]) -> Ticket:
        """Register ids before publishing them, so no delivery can be missed."""
        ticket = Ticket(ids)
        with self._lock:
            if not self._open:
                ticket.finish(Delivery.DISCONNECTED)
                return ticket
            for message_id in ticket.pending:
                self._tickets[message_id] = ticket
        return ticket

    def confirm(self, message_id: str) -> None:
        with self._lock:
            ticket = self._tickets.pop(message_id, None)
            if ticket is None:
                return
            ticket.pending.discard(message_id)
            if not ticket.pending and ticket.result is None:
                ticket.finish(Delivery.CONFIRMED)

    def fail_all(self) -> None:
        """The connection dropped: end every wait now, and new ones until `open`."""
        with self._lock:
            self._open = False
            for ticket in self._tickets.values():
                if ticket.result is None:
                    ticket.finish(Delivery.DISCONNECTED)
            self._tickets.clear()

    def wait(self, ticket: Ticket, timeout: float) -> Delivery:
        ticket.done.wait(timeout)
        with self._lock:
            for message_id in ticket.pending:
                self._tickets.pop(message_id, None)
            return ticket.result or Delivery.TIMED_OUT
