"""One server of the mqtt-broadcast strategy: the seed's Part 1, faithfully.

A server validates a write against its own replica (`decide`), publishes the effects
in the seed's format (see `messages`), and every server applies what it receives.
Nothing orders writes made on different servers, and nothing here tries to.

When a server applies its own effects (option `own_effects`; all three hold the
write lock from `decide` to `publish`, so a server's own writes never interleave and
it publishes them in the order it validated them):

- `both` (default): at once, with `decide` under the replica's lock, and again when
  its message comes back from the broker, unless a later write of its own to the
  same record is still on its way (see `inflight`). The reply waits for the message
  to come back, outside the write lock, so one server's writes pipeline. Every
  server, the writer too, ends up with each record as the broker's last message for
  it left it, so replicas converge once writes stop (given one broker that delivers
  to everyone in one order, as Mosquitto does; MQTT itself promises order only per
  publisher and topic). Meanwhile the writer may show
  its own record, then a concurrent one from another server that the broker ordered
  first, then its own again; and its next write is validated against that other
  record: a conflict between concurrent writes, as below.
- `receipt`: only when its message comes back, like every other server. Replicas
  converge for the same reason, and the writer never shows a record out of the
  broker's order; but the write lock is held until the message is back (the next
  write must be validated against a state that holds this one), so one server's
  writes are serial, one broker round trip each.
- `local`: only at once; its own message is ignored when it comes back. A writer's
  effect then takes its place in its own replica before the broker orders it among
  the others' writes: two servers writing one key concurrently each keep the other's
  record, and digests never converge.

`benchmarks/mqtt_broadcast.py` measures the three. On the project's 2-core machines a
write alone took about 0.8 ms in every mode; under 16 client threads `receipt` used
about a quarter more server CPU per call than `both` and `local`, its writes waited
up to twice as long, and its throughput was lower in most runs. `both` is the default
because it converges like `receipt` and pipelines like `local`.

What stays possible, and visible, in every mode: two servers validate conflicting
writes against states that lack each other's write, so stock can be oversold (two
orders each take stock only one could have), an update can be lost (the later record
overwrites the earlier), and one server can accept a write another would refuse (an
order for a client whose creation has not reached it yet). A command's effects are
separate messages, so another server may briefly show a stock change without its
order. `publish_delay` widens these windows for experiments.

While the broker is unreachable (not connected and subscribed), a write gets 503 "the
MQTT broker is unreachable; nothing changed, retry" (`Certainty.NONE`) and the replica
is untouched; reads keep serving the local state. A write whose messages do not come
back within `publish_timeout`, or whose connection drops meanwhile, is also 503, but
with an unknown outcome (`Certainty.UNKNOWN`), and the description says so: paho
resends unacknowledged QoS 1 messages after reconnecting, so the write may still be
applied everywhere (and with `both` or `local` it already is, on this server).

Redeliveries (QoS 1) are applied once: every message carries a unique id (see
`messages` and `dedup`). Late joiners catch up from a peer's snapshot (`snapshot`).

The course's own Part 1 servers can share the broker and the topics (topic prefix "",
as `--layout course-part1` sets): their messages, which carry no id and no origin, are
applied as they arrive, translated from their record shapes, and with option wire =
course ours publish records in the shapes theirs read (see `course_wire`; why
applying id-less messages without deduplication is safe: see `dedup`).
"""

import contextlib
import itertools
import logging
import secrets
import threading
import time
from collections import Counter
from typing import Any, Final

import paho.mqtt.client as mqtt

from core.domain import TABLES, Certainty, Code, Command, Effect, Query, Reply
from core.domain.commands import GetProduct
from core.replica import Replica
from core.replication import Status
from core.strategy import NodeContext
from plugins.mqtt_broadcast.confirmations import Confirmations, Delivery
from plugins.mqtt_broadcast.connection import Link
from plugins.mqtt_broadcast.course_wire import name_lines
from plugins.mqtt_broadcast.dedup import SeenIds
from plugins.mqtt_broadcast.inflight import InFlight
from plugins.mqtt_broadcast.messages import (
    BadMessage,
    Envelope,
    decode,
    encode,
    origin_token,
    topic,
)
from plugins.mqtt_broadcast.settings import settings
from plugins.mqtt_broadcast.snapshot import CatchUp, SyncTopics

log = logging.getLogger(__name__)

STRATEGY: Final = "mqtt-broadcast"
UNREACHABLE: Final = Reply(
    Code.UNAVAILABLE, "the MQTT broker is unreachable; nothing changed, retry", Certainty.NONE
)
WITHDRAW_TIMEOUT_S: Final = 1.0
COUNTERS: Final = (
    "messages_published",
    "messages_applied",
    "duplicates_dropped",
    "malformed_dropped",
    "foreign_applied",  # messages without an origin: the course's servers
)


class MqttReplicator:
    def __init__(self, context: NodeContext) -> None:
        self._settings = settings(context.options)
        self._node = context.node.name
        self._origin = origin_token(self._node, secrets.token_hex(4))
        self._replica = Replica()
        self._seen = SeenIds()
        self._inflight = InFlight()
        self._confirmations = Confirmations()
        self._write_lock = threading.Lock()
        self._sequence = itertools.count(1)
        self._counters: Counter[str] = Counter()
        prefix, qos = self._settings.topic_prefix, self._settings.qos
        self._tables = {topic(prefix, table): table for table in TABLES}
        self._topics = {table: name for name, table in self._tables.items()}
        sync = SyncTopics(prefix)
        self._catchup = CatchUp(
            sync, self._origin, self._node, self._send, self._replica, self._apply
        )
        subscriptions = [(name, qos) for name in self._tables]
        subscriptions += [(name, 1) for name in sync.subscriptions(self._origin)]
        self._link = Link(
            self._settings,
            self._origin,
            sync.presence(self._origin),
            subscriptions,
            receive=self._on_message,
            up=self._on_up,
            down=self._confirmations.fail_all,
        )

    # --- Lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Connect, subscribe and catch up with the peers; only then may the server serve."""
        try:
            self._link.open()
            self._catchup.run(self._settings.sync_timeout)
        except BaseException:
            self._link.close()
            raise
        self._catchup.announce()

    def stop(self) -> None:
        if self._link.connected.is_set():
            # If the connection is gone meanwhile, the broker has published the will.
            with contextlib.suppress(RuntimeError):
                self._catchup.withdraw().wait_for_publish(WITHDRAW_TIMEOUT_S)
        self._link.close()

    # --- Requests ----------------------------------------------------------------------

    def execute(self, command: Command) -> Reply:
        if self._settings.own_effects == "receipt":
            return self._execute_on_receipt(command)
        return self._execute_at_once(command)

    def _execute_on_receipt(self, command: Command) -> Reply:
        with self._write_lock:
            if not self._link.connected.is_set():
                return UNREACHABLE
            outcome = self._replica.decide(command)
            if not outcome.effects:
                return outcome.reply
            self._delay()
            ids = self._new_ids(len(outcome.effects))
            ticket = self._confirmations.expect(ids)
            if ticket.done.is_set():
                return UNREACHABLE  # the connection dropped since the check: nothing sent
            self._publish(outcome.effects, ids)
            delivery = self._confirmations.wait(ticket, self._settings.publish_timeout)
        if delivery is Delivery.CONFIRMED:
            return outcome.reply
        return self._unconfirmed(delivery, "it may still be applied when the broker delivers it")

    def _execute_at_once(self, command: Command) -> Reply:
        with self._write_lock:
            if not self._link.connected.is_set():
                return UNREACHABLE
            outcome = self._replica.execute(command)
            if not outcome.effects:
                return outcome.reply
            self._delay()
            # Published even if the connection just dropped: this server has applied
            # the effects, and paho queues QoS 1 messages until it reconnects.
            ids = self._new_ids(len(outcome.effects))
            ticket = self._confirmations.expect(ids)
            self._publish(outcome.effects, ids)
        delivery = self._confirmations.wait(ticket, self._settings.publish_timeout)
        if delivery is Delivery.CONFIRMED:
            return outcome.reply
        return self._unconfirmed(
            delivery, "it is applied on this server and may still reach the others"
        )

    def _new_ids(self, count: int) -> list[str]:
        return [f"{self._origin}:{next(self._sequence)}" for _ in range(count)]

    def _publish(self, effects: tuple[Effect, ...], ids: list[str]) -> None:
        if self._settings.own_effects == "both":
            self._inflight.sent(zip(effects, ids, strict=True))
        for effect, message_id in zip(effects, ids, strict=True):
            payload = encode(effect, message_id, self._origin, self._settings.wire == "course")
            self._link.publish(self._topics[effect.table], payload, self._settings.qos)
        self._counters["messages_published"] += len(ids)

    def _delay(self) -> None:
        if self._settings.publish_delay > 0:
            time.sleep(self._settings.publish_delay)

    def _unconfirmed(self, delivery: Delivery, consequence: str) -> Reply:
        if delivery is Delivery.TIMED_OUT:
            cause = f"did not come back from the MQTT broker in {self._settings.publish_timeout} s"
        else:
            cause = "was cut off by a lost connection to the MQTT broker"
        description = f"the write {cause}; {consequence}: check before retrying"
        return Reply(Code.UNAVAILABLE, description, Certainty.UNKNOWN)

    def read(self, query: Query) -> Any:
        return self._replica.read(query)

    def digest(self) -> str:
        return self._replica.digest()

    def status(self) -> Status:
        settings = self._settings
        details: dict[str, Any] = {
            "broker": settings.broker,
            "connected": self._link.connected.is_set(),
            "caught_up": self._catchup.done.is_set(),
            "snapshot_from": self._catchup.source,
            "peers": self._catchup.peers(),
            "origin": self._origin,
            "own_effects": settings.own_effects,
            "qos": settings.qos,
            "topic_prefix": settings.topic_prefix,
            "wire": settings.wire,
            **{name: self._counters[name] for name in COUNTERS},
            "sessions_lost": self._link.sessions_lost,
        }
        return Status(strategy=STRATEGY, node=self._node, role="peer", details=details)

    # --- In paho's loop thread -----------------------------------------------------------

    def _send(self, name: str, payload: bytes, retain: bool) -> mqtt.MQTTMessageInfo:
        return self._link.publish(name, payload, qos=1, retain=retain)

    def _on_up(self) -> None:
        self._confirmations.open()
        if self._catchup.done.is_set():
            self._catchup.announce()  # a restarted broker has forgotten retained messages

    def _on_message(self, name: str, payload: bytes | bytearray) -> None:
        table = self._tables.get(name)
        if table is None:
            self._catchup.handle(name, payload)
            return
        try:
            envelope = decode(table, payload)
        except BadMessage as error:
            self._counters["malformed_dropped"] += 1
            log.warning("dropped a malformed message on %s: %s", name, error)
            return
        if envelope.id is not None and not self._seen.first_time(envelope.id):
            self._counters["duplicates_dropped"] += 1
            return
        if not self._catchup.buffer(envelope):
            self._apply(envelope)

    def _apply(self, envelope: Envelope) -> None:
        own = envelope.id if envelope.origin == self._origin else None
        if own is None or self._replays(envelope.effect, own):
            effect = envelope.effect
            if envelope.origin is None:  # the course's servers: their order lines lack names
                effect = name_lines(effect, self._product_name)
                self._counters["foreign_applied"] += 1
            self._replica.apply((effect,))
            self._counters["messages_applied"] += 1
        if own is not None:
            self._confirmations.confirm(own)

    def _product_name(self, pid: str) -> str:
        """The name of a line the course's servers sent without one ("" if unknown here)."""
        product = self._replica.read(GetProduct(pid))
        return str(product["name"]) if product else ""

    def _replays(self, effect: Effect, message_id: str) -> bool:
        """Whether this server's own effect, back from the broker, is applied (again)."""
        mode = self._settings.own_effects
        if mode == "both":
            return self._inflight.replay(effect, message_id)
        return mode == "receipt"
