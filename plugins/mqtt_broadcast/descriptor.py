"""The `mqtt-broadcast` strategy as the registry sees it, and its broker node kind."""

import signal

from core.config import NodeConfig
from core.hookspecs import hookimpl
from core.strategy import StrategyDescriptor
from core.topology import SERVERS, Count, Launch, Member, NodeKind, Probe, Readiness, Topology
from plugins.mqtt_broadcast import broker
from plugins.mqtt_broadcast.provision import BROKER, provision
from plugins.mqtt_broadcast.replicator import STRATEGY, MqttReplicator
from plugins.mqtt_broadcast.settings import OPTIONS, check_options


def _program(node: NodeConfig) -> str:
    """The broker `provision` chose for the node: mosquitto or amqtt."""
    return str(node.settings.get("program", "mosquitto"))


def _broker_command(node: NodeConfig, launch: Launch) -> list[str]:
    return broker.command(_program(node), launch.workdir, node.host, node.port, node.name)


def _broker_software(node: NodeConfig) -> dict[str, str | None]:
    return broker.software(_program(node))


@hookimpl
def testbed_node_kinds() -> list[NodeKind]:
    return [
        NodeKind(
            BROKER,
            "an MQTT broker (Mosquitto, or the embedded amqtt) private to the cluster",
            _broker_command,
            readiness=Readiness.LISTENING,
            probe=Probe.LISTENING,
            stateful=False,  # persistence off: a restarted broker has forgotten everything
            stop_signal=signal.SIGINT,  # amqtt stops cleanly on SIGINT only; Mosquitto too
            software=_broker_software,
        )
    ]


@hookimpl
def testbed_strategies() -> list[StrategyDescriptor]:
    return [
        StrategyDescriptor(
            name=STRATEGY,
            description=(
                "Every server holds the whole state and broadcasts the effects of its "
                "writes over MQTT (the seed's Part 1); no ordering across servers."
            ),
            factory=MqttReplicator,
            options=OPTIONS,
            check=check_options,
            provision=provision,
            # The broker starts first; none when option `broker` names one.
            topology=Topology((Member(BROKER, Count(default=1, maximum=1), group=None), SERVERS)),
            consistency="eventual",
        )
    ]
