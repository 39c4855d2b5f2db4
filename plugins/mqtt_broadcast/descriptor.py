"""The `mqtt-broadcast` strategy as the registry sees it."""

from core.hookspecs import hookimpl
from core.strategy import StrategyDescriptor
from plugins.mqtt_broadcast.provision import provision
from plugins.mqtt_broadcast.replicator import STRATEGY, MqttReplicator
from plugins.mqtt_broadcast.settings import OPTIONS


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
            provision=provision,
            consistency="eventual",
        )
    ]
