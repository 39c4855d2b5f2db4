"""The mqtt-broadcast strategy: the seed's Part 1 over a real MQTT broker.

`replicator` holds the design (when a server applies its own effects, 503s, the
anomalies that stay possible); `messages` the wire format; `dedup` redeliveries;
`inflight` which own messages are replayed; `confirmations` how a write learns its
messages reached the broker; `snapshot` late joiners; `connection` the paho client;
`broker`, `provision` and `descriptor` the broker node the launcher starts.
"""

from plugins.mqtt_broadcast.descriptor import testbed_node_kinds, testbed_strategies

__all__ = ["testbed_node_kinds", "testbed_strategies"]
