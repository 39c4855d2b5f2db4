"""Late joiners: a starting server copies a peer's state over MQTT before it serves.

The seed required every server to start together; here a server may start at any
time. Topics, under PREFIX/sync/:

- `peers/<origin>`: a retained presence message for every server that holds a
  complete state. The server clears it when it stops; its will clears it when it
  dies (the broker notices at once when the TCP connection closes, or after 1.5
  keepalives when the host vanishes). Servers announce again after each reconnection,
  since a broker without persistence forgets retained messages when it restarts.
- `requests/<origin>`: a joiner asks that one peer for a snapshot.
- `inbox/<origin>`: what comes back to a joiner: its own probe, then the snapshot.

A joiner (1) subscribes to the effect topics, `peers/+` and its inbox, and from then
on buffers the effects it receives instead of applying them; (2) publishes a probe to
its inbox: when the probe comes back, every retained presence has arrived, since the
broker sends them on subscribing, before handling the joiner's later messages;
(3) with no peer present it is the first server and starts empty; otherwise it asks
one peer, and another every `RETRY_S` without an answer, until `sync_timeout`, after
which it refuses to start rather than serve a state that lacks data; (4) installs the
snapshot, re-applies the buffered effects in arrival order and announces itself. The
server starts answering RPCs only after that.

Why nothing is lost: a peer handles messages one at a time in the broker's order, so
its snapshot holds every effect the broker delivered to it before the request. An
effect the snapshot lacks reached the broker after the joiner's subscription, so it
is in the buffer. Effects carry whole records, so re-applying a buffered effect the
snapshot already holds writes the same record again.

Races and limits:
- The argument needs the broker to deliver to the peer and to the joiner in the same
  order. Mosquitto does (one thread, one queue per client); MQTT promises it only per
  publisher and topic. Where two writes to one key race, a reordering broker could
  leave the joiner with the other record: the divergence such writes cause anyway.
- With own_effects = local, a peer's snapshot holds its own writes before it
  publishes them; they still reach the joiner's buffer, so nothing is lost.
- Servers that start while no caught-up server runs all start empty, which is right:
  no running server has anything to give. A joiner whose peers all die before
  answering does not start.
- A snapshot is one message holding the whole state as JSON (Mosquitto accepts up to
  256 MB by default). The peer builds it in its network thread, so its own effects
  wait meanwhile.
- Catching up happens once, at start. A server that loses its broker session (the
  broker restarted) and reconnects after others have written has missed those
  effects for good: `sessions_lost` in its status counts this, digests show it.
"""

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import paho.mqtt.client as mqtt

from core.domain import State
from core.replica import Replica
from plugins.mqtt_broadcast.messages import Envelope, topic

log = logging.getLogger(__name__)

RETRY_S: Final = 2.0
ORIGIN: Final = re.compile(r"[A-Za-z0-9_.-]+")

Send = Callable[[str, bytes, bool], mqtt.MQTTMessageInfo]  # topic, payload, retain


class CatchUpFailed(TimeoutError):
    pass


class SyncTopics:
    def __init__(self, prefix: str) -> None:
        self.root = topic(prefix, "sync")

    def presence(self, origin: str) -> str:
        return f"{self.root}/peers/{origin}"

    def request(self, origin: str) -> str:
        return f"{self.root}/requests/{origin}"

    def inbox(self, origin: str) -> str:
        return f"{self.root}/inbox/{origin}"

    def subscriptions(self, origin: str) -> list[str]:
        return [f"{self.root}/peers/+", self.request(origin), self.inbox(origin)]


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


class CatchUp:
    """One server's side of the protocol, as joiner and as peer."""

    def __init__(
        self,
        topics: SyncTopics,
        origin: str,
        node: str,
        send: Send,
        replica: Replica,
        apply: Callable[[Envelope], None],
    ) -> None:
        self._topics, self._origin, self._node = topics, origin, node
        self._send, self._replica, self._apply = send, replica, apply
        self._lock = threading.Lock()  # the buffer, the switch to live, the peer set
        self._buffering = True
        self._buffer: list[Envelope] = []
        self._peers: set[str] = set()
        self._probe = f"{origin}:probe"
        self._probed = threading.Event()
        self._request: str | None = None
        self.done = threading.Event()
        self.source: str | None = None  # the peer whose snapshot this server started from

    def peers(self) -> list[str]:
        with self._lock:
            return sorted(self._peers)

    # --- In the MQTT network thread -----------------------------------------------

    def buffer(self, envelope: Envelope) -> bool:
        """Keep an effect for later while catching up; False once live."""
        with self._lock:
            if self._buffering:
                self._buffer.append(envelope)
            return self._buffering

    def handle(self, message_topic: str, payload: bytes | bytearray) -> None:
        """A message on a sync topic."""
        peers_prefix = self._topics.presence("")
        if message_topic.startswith(peers_prefix):
            self._presence(message_topic.removeprefix(peers_prefix), payload)
            return
        try:
            document = json.loads(payload)
            if message_topic == self._topics.request(self._origin):
                self._answer(document)
            elif message_topic == self._topics.inbox(self._origin):
                self._receive(document)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            log.warning("dropped a malformed message on %s: %r", message_topic, error)

    def _presence(self, origin: str, payload: bytes | bytearray) -> None:
        if origin == self._origin:
            return
        with self._lock:
            if payload:
                self._peers.add(origin)
            else:
                self._peers.discard(origin)

    def _answer(self, document: dict[str, Any]) -> None:
        requester = document["origin"]
        if not self.done.is_set() or not ORIGIN.fullmatch(requester):
            return  # a server still catching up has no complete state to give
        reply = {
            "kind": "snapshot",
            "request": document["request"],
            "origin": self._origin,
            "tables": self._replica.snapshot(),
        }
        self._send(self._topics.inbox(requester), _json(reply), False)
        log.info("sent a snapshot to %s", requester)

    def _receive(self, document: dict[str, Any]) -> None:
        if document.get("kind") == "probe" and document.get("id") == self._probe:
            self._probed.set()
        elif document.get("kind") == "snapshot" and document.get("request") == self._request:
            self._install(State.from_snapshot(document["tables"]), str(document["origin"]))

    # --- Both threads ----------------------------------------------------------------

    def _install(self, state: State, source: str | None) -> None:
        with self._lock:
            if not self._buffering:
                return  # a second answer to a retried request
            self._replica.replace(state)
            for envelope in self._buffer:
                self._apply(envelope)
            log.info(
                "caught up from %s, then applied %d buffered effect(s)",
                source or "nobody (the first server)",
                len(self._buffer),
            )
            self._buffer.clear()
            self._buffering = False
            self.source = source
        self.done.set()

    # --- In the starting thread -------------------------------------------------------

    def run(self, timeout: float) -> None:
        """Catch up with a peer, or start empty when there is none; see the module doc."""
        deadline = time.monotonic() + timeout
        self._send(
            self._topics.inbox(self._origin), _json({"kind": "probe", "id": self._probe}), False
        )
        if not self._probed.wait(timeout):
            raise CatchUpFailed(f"the MQTT broker did not echo this server's probe in {timeout} s")
        if not self.peers():
            self._install(State(), None)
            return
        attempt = 0
        while not self.done.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                raise CatchUpFailed(
                    f"no peer sent a snapshot in {timeout} s (peers present: "
                    f"{', '.join(self.peers()) or 'none left'}); not starting with missing data"
                )
            peers = self.peers()
            if peers:
                peer = peers[attempt % len(peers)]
                attempt += 1
                self._request = f"{self._origin}:{attempt}"
                request = {"request": self._request, "origin": self._origin}
                self._send(self._topics.request(peer), _json(request), False)
            self.done.wait(min(RETRY_S, left))

    def announce(self) -> mqtt.MQTTMessageInfo:
        presence = {"origin": self._origin, "node": self._node}
        return self._send(self._topics.presence(self._origin), _json(presence), True)

    def withdraw(self) -> mqtt.MQTTMessageInfo:
        return self._send(self._topics.presence(self._origin), b"", True)
