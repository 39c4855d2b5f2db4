"""The strategy's options, and the checked settings a node runs with."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from core.config import ConfigError, parse_address
from core.strategy import Option, OptionValue

OWN_EFFECTS: Final = ("both", "receipt", "local")
BROKER_KINDS: Final = ("auto", "mosquitto", "amqtt")
WIRES: Final = ("testbed", "course")

OPTIONS: Final = {
    "broker": Option("", "MQTT broker as HOST:PORT; empty: the cluster launcher starts one"),
    "broker_kind": Option(
        "auto",
        "broker the launcher starts: auto (Mosquitto if installed, else the embedded amqtt), "
        "mosquitto or amqtt",
    ),
    "username": Option("", "user name for the broker; empty: none"),
    "password": Option("", "password for the broker"),
    "tls": Option(False, "connect to the broker over TLS"),
    "ca_file": Option("", "CA certificates (PEM) that sign the broker's; empty: the system's"),
    "qos": Option(1, "MQTT QoS of the published effects: 0, 1 or 2"),
    "topic_prefix": Option("testbed", "effects go to PREFIX/clients, PREFIX/products, ..."),
    "wire": Option(
        "testbed",
        "records inside published messages: testbed (as stored) or course (as the course's "
        "own Part 1 servers read them, the record itself beside), so theirs can join",
    ),
    "own_effects": Option(
        "both",
        "when a server applies its own effects: both (at once, and again in the broker's "
        "order when its message comes back), receipt (only then) or local (only at once)",
    ),
    "publish_timeout": Option(5.0, "seconds a write waits for its message to come back"),
    "connect_timeout": Option(10.0, "seconds a starting server waits for the broker"),
    "sync_timeout": Option(10.0, "seconds a late joiner waits for a peer's snapshot"),
    "keepalive": Option(10, "MQTT keepalive in seconds: how soon a silent broker is noticed"),
    "publish_delay": Option(
        0.0,
        "for experiments: seconds between validating a write and publishing it, to widen "
        "the window in which concurrent writes on different servers conflict",
    ),
}


@dataclass(frozen=True)
class Settings:
    broker: str
    host: str
    port: int
    broker_kind: str
    username: str
    password: str
    tls: bool
    ca_file: str
    qos: int
    topic_prefix: str
    wire: str
    own_effects: str
    publish_timeout: float
    connect_timeout: float
    sync_timeout: float
    keepalive: int
    publish_delay: float


def broker_kind(options: Mapping[str, OptionValue]) -> str:
    kind = str(options["broker_kind"])
    if kind not in BROKER_KINDS:
        raise ValueError(
            f"option broker_kind must be one of {', '.join(BROKER_KINDS)}, not {kind!r}"
        )
    return kind


def check_options(options: Mapping[str, OptionValue]) -> None:
    """Raise ValueError naming an option whose value breaks its rule (resolved options:
    defaults filled in, types right). An empty broker passes: the launcher starts one."""
    broker_kind(options)
    if str(options["broker"]):
        _broker_address(str(options["broker"]))
    for name, choices in (("own_effects", OWN_EFFECTS), ("wire", WIRES)):
        if str(options[name]) not in choices:
            raise ValueError(
                f"option {name} must be one of {', '.join(choices)}, not {options[name]!r}"
            )
    if int(options["qos"]) not in (0, 1, 2):
        raise ValueError(f"option qos must be 0, 1 or 2, not {options['qos']}")
    if any(wildcard in str(options["topic_prefix"]) for wildcard in "+#"):
        raise ValueError(f"option topic_prefix may not contain + or #: {options['topic_prefix']!r}")
    for name in ("publish_timeout", "connect_timeout", "sync_timeout", "keepalive"):
        _positive(options, name)


def settings(options: Mapping[str, OptionValue]) -> Settings:
    """Check resolved options (defaults filled in, types right) and derive the rest."""
    check_options(options)
    broker = str(options["broker"])
    if not broker:
        raise ValueError(
            "option broker is empty: start the cluster with `testbed cluster up`, which starts "
            "a broker, or give one with -o broker=HOST:PORT"
        )
    host, port = _broker_address(broker)
    return Settings(
        broker=broker,
        host=host,
        port=port,
        broker_kind=broker_kind(options),
        username=str(options["username"]),
        password=str(options["password"]),
        tls=bool(options["tls"]),
        ca_file=str(options["ca_file"]),
        qos=int(options["qos"]),
        topic_prefix=str(options["topic_prefix"]).strip("/"),
        wire=str(options["wire"]),
        own_effects=str(options["own_effects"]),
        publish_timeout=_positive(options, "publish_timeout"),
        connect_timeout=_positive(options, "connect_timeout"),
        sync_timeout=_positive(options, "sync_timeout"),
        keepalive=int(_positive(options, "keepalive")),
        publish_delay=float(options["publish_delay"]),
    )


def _broker_address(broker: str) -> tuple[str, int]:
    try:
        return parse_address(broker)
    except ConfigError as error:
        raise ValueError(f"option broker: {error}") from None


def _positive(options: Mapping[str, OptionValue], name: str) -> float:
    value = float(options[name])
    if value <= 0:
        raise ValueError(f"option {name} must be a positive number of seconds, not {value}")
    return value
