"""Named cluster layouts: the course's own clusters, as data (`testbed cluster up --layout`).

A layout names a strategy, its options, the ports of its admin and order portal
servers (the ones the course's clients and test script expect) and the nodes of
other kinds it pins to a port (Part 1's broker on 1884, as the seed's README starts
Mosquitto). Nodes the layout does not list come from the strategy's topology, so a
layout stays a few lines of data whatever the strategy runs underneath.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from core.config import ClusterConfig, ConfigError, NodeConfig

# The course's test script (test/test_script.py) calls these on localhost.
COURSE_ADMIN_PORT: Final = 55006
COURSE_ORDER_PORT: Final = 55005
COURSE_BROKER_PORT: Final = 1884  # `mosquitto -p 1884`, the seed's README


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    strategy: str
    admin_ports: tuple[int, ...]  # one AdminPortal-only server per port
    order_ports: tuple[int, ...]  # one OrderPortal-only server per port
    options: Mapping[str, Any] = field(default_factory=dict)
    nodes: tuple[NodeConfig, ...] = ()  # nodes of other kinds, on fixed ports

    def cluster(self, strategy: str | None) -> ClusterConfig:
        """The layout's cluster; with another strategy, only its portal servers (and ports)."""
        own = strategy in (None, self.strategy)
        return ClusterConfig(
            strategy=self.strategy if strategy is None else strategy,
            options=dict(self.options) if own else {},
            nodes=self.nodes if own else (),
        )


LAYOUTS: Final = {
    layout.name: layout
    for layout in (
        Layout(
            "course-part1",
            "the seed's Part 1: a Mosquitto broker on 1884, AdminPortal and OrderPortal "
            "servers on mqtt-broadcast, on the ports of the course's test script",
            "mqtt-broadcast",
            admin_ports=(COURSE_ADMIN_PORT,),
            order_ports=(COURSE_ORDER_PORT,),
            # The seed's topics, without a prefix, and records in the shapes the course's
            # own servers read (plugins/mqtt_broadcast/course_wire.py), so theirs can join.
            options={"topic_prefix": "", "wire": "course"},
            nodes=(NodeConfig("broker", port=COURSE_BROKER_PORT, kind="broker"),),
        ),
        Layout(
            "course-part2",
            "the seed's Part 2: 2 partitions x 3 storage replicas on Raft, then the "
            "AdminPortal and OrderPortal servers, on the ports of the course's test script",
            "pysyncobj-raft-partitioned",
            admin_ports=(COURSE_ADMIN_PORT,),
            order_ports=(COURSE_ORDER_PORT,),
            # The strategy's topology brings the storage replicas, in its start order.
            options={"partitions": 2, "replicas": 3},
        ),
    )
}


def get(name: str, installed: Collection[str], strategy: str | None = None) -> Layout:
    """The layout called `name`, run on its own strategy unless `strategy` names another.

    ConfigError, saying why, when there is no such layout or the strategy it runs on is
    not among the `installed` ones.
    """
    layout = LAYOUTS.get(name)
    if layout is None:
        raise ConfigError(f"no layout named {name!r}; the layouts are: {', '.join(LAYOUTS)}")
    if strategy is None and layout.strategy not in installed:
        raise ConfigError(
            f"layout {name} needs strategy {layout.strategy!r}, which is not installed; "
            "--strategy runs the layout's portals on another"
        )
    return layout
