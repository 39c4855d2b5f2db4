"""One server's link to the broker: paho's client, its session, and whether it is up.

The link reconnects by itself (paho's loop thread, every 1 to 2 s) and subscribes
again at every connection: a broker that lost the session lost the subscriptions
too. It counts as up from the moment the broker acknowledges the subscriptions,
since only then will this server's own messages come back to it.
"""

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from plugins.mqtt_broadcast.settings import Settings

log = logging.getLogger(__name__)

RECONNECT_MIN_S: Final = 1
RECONNECT_MAX_S: Final = 2  # a restarted broker is found again within seconds
MAX_INFLIGHT: Final = 1000  # paho's default, 20, would queue pipelined writes in the client

Receive = Callable[[str, bytes | bytearray], None]  # topic, payload


class Link:
    def __init__(
        self,
        settings: Settings,
        client_id: str,
        will_topic: str,
        subscriptions: list[tuple[str, int]],
        receive: Receive,
        up: Callable[[], None],
        down: Callable[[], None],
    ) -> None:
        self._settings, self._subscriptions = settings, subscriptions
        self._receive, self._up, self._down = receive, up, down
        self.connected = threading.Event()  # connected and subscribed
        self.sessions_lost = 0  # reconnections to a broker that had forgotten us
        self._connections = 0
        self._refusal: str | None = None  # why the broker refused us, if it did
        self._subscription: int | None = None
        self._closing = False
        self._paho_log = logging.getLogger(f"paho.{client_id}")
        self._client = _client(settings, client_id, will_topic, self._paho_log)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message

    def open(self) -> None:
        """Connect; raise if the broker refuses us or stays out of reach."""
        settings = self._settings
        self._client.connect_async(settings.host, settings.port, settings.keepalive)
        self._client.loop_start()
        deadline = time.monotonic() + settings.connect_timeout
        while not self.connected.wait(0.05):
            if self._refusal is not None:  # credentials do not improve with retries
                raise ConnectionRefusedError(
                    f"the MQTT broker at {settings.broker} refused the connection: {self._refusal}"
                )
            if time.monotonic() > deadline:
                raise ConnectionError(
                    f"cannot reach the MQTT broker at {settings.broker} "
                    f"in {settings.connect_timeout} s"
                )

    def publish(
        self, topic: str, payload: bytes, qos: int, retain: bool = False
    ) -> mqtt.MQTTMessageInfo:
        return self._client.publish(topic, payload, qos=qos, retain=retain)

    def close(self) -> None:
        self._closing = True
        # paho logs its own orderly disconnection as errors ("Client is not connected").
        self._paho_log.setLevel(logging.CRITICAL)
        self._client.disconnect()
        self._client.loop_stop()

    # --- In paho's loop thread ----------------------------------------------------------

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Any,
    ) -> None:
        if reason.is_failure:
            self._refusal = str(reason)
            log.error("the MQTT broker at %s refused us: %s", self._settings.broker, reason)
            return
        _send_at_once(client)
        if self._connections and not flags.session_present:
            self.sessions_lost += 1
            log.warning("the broker lost this server's session: messages sent meanwhile are lost")
        self._connections += 1
        self._subscription = client.subscribe(self._subscriptions)[1]

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reasons: list[ReasonCode],
        properties: Any,
    ) -> None:
        if mid != self._subscription:
            return
        if any(reason.is_failure for reason in reasons):
            log.error("the MQTT broker refused a subscription: %s", reasons)
            return
        self.connected.set()
        log.info("connected to the MQTT broker at %s", self._settings.broker)
        self._up()

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        properties: Any,
    ) -> None:
        self.connected.clear()
        self._down()
        if not self._closing:
            log.warning(
                "lost the MQTT broker at %s (%s); reconnecting", self._settings.broker, reason
            )

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._receive(message.topic, message.payload)


def _client(
    settings: Settings, client_id: str, will_topic: str, logger: logging.Logger
) -> mqtt.Client:
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        # A persistent session: while this server is briefly away, the broker keeps its
        # QoS 1 messages and delivers them when it is back (QoS 1 may then redeliver).
        clean_session=False,
        # 3.1.1, not 5: the one protocol both Mosquitto and the amqtt fallback speak.
        protocol=mqtt.MQTTv311,
    )
    if settings.username:
        client.username_pw_set(settings.username, settings.password or None)
    if settings.tls:
        client.tls_set(ca_certs=settings.ca_file or None)
    client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
    client.max_inflight_messages_set(MAX_INFLIGHT)
    # When this server dies, the broker clears its retained presence (see snapshot).
    client.will_set(will_topic, b"", qos=1, retain=True)
    # An exception in a callback must be logged, not end the loop thread.
    client.suppress_exceptions = True
    client.enable_logger(logger)
    return client


def _send_at_once(client: mqtt.Client) -> None:
    """Turn off Nagle's algorithm (paho leaves it on): with several writes in flight it
    would hold each small message until the broker's delayed ACK, about 40 ms on Linux."""
    connection = client.socket()
    if isinstance(connection, socket.socket):
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
