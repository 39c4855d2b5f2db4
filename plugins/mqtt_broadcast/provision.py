"""Before a cluster starts: its broker node, or none when a broker is configured.

With option `broker` empty the cluster runs its own broker as a node of kind `broker`
(`descriptor.BROKER`), Mosquitto or amqtt as `broker_kind` says; its address goes into
the cluster's options, so every server connects to it. A configured broker is used as
is: the cluster then has no broker node, and faults cannot reach it.
"""

from dataclasses import replace
from pathlib import Path
from typing import Final

from core.config import ClusterConfig
from plugins.mqtt_broadcast import broker
from plugins.mqtt_broadcast.settings import OPTIONS, broker_kind

BROKER: Final = "broker"  # the node kind


def provision(config: ClusterConfig, workdir: Path) -> ClusterConfig:
    options = {name: option.default for name, option in OPTIONS.items()} | dict(config.options)
    if options["broker"]:
        return replace(config, nodes=tuple(n for n in config.nodes if n.kind != BROKER))
    brokers = [node for node in config.nodes if node.kind == BROKER]
    if len(brokers) != 1:
        return config  # the topology's count check says what is wrong
    program = broker.choose_kind(broker_kind(options))
    (node,) = brokers
    chosen = replace(node, settings={**node.settings, "program": program})
    return replace(
        config,
        options={**config.options, "broker": node.address},
        nodes=tuple(chosen if n is node else n for n in config.nodes),
    )
