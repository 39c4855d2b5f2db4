"""The cluster's own broker is a node like the others: killed, paused, restarted in place."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster, Node
from plugins.mqtt_broadcast import broker as brokers
from plugins.mqtt_broadcast.replicator import STRATEGY
from tests.plugins.mqtt_broadcast.support import Servers, create_client, ok, wait_until


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if brokers.find_mosquitto() is None:
        pytest.skip(f"runs a real Mosquitto: {brokers.INSTALL_MOSQUITTO}")
    config = ClusterConfig(
        STRATEGY,
        options={"broker_kind": "mosquitto", "keepalive": 2},
        nodes=(NodeConfig("s1", port=0), NodeConfig("s2", port=0)),
    )
    with Cluster(config, tmp_path) as running:
        yield running


def broker_node(cluster: Cluster) -> Node:
    (node,) = [n for n in cluster.nodes if n.config.kind == "broker"]
    return node


def connected(servers: Servers, expected: bool) -> bool:
    return all(servers.details(a)["connected"] is expected for a in servers.addresses)


def test_the_broker_starts_first_and_is_listed_with_its_pid(cluster: Cluster) -> None:
    assert [n.config.kind for n in cluster.nodes] == ["broker", "server", "server"]
    node = broker_node(cluster)
    described = next(n for n in cluster.describe()["nodes"] if n["kind"] == "broker")
    assert described == {
        "name": "broker", "kind": "broker", "group": None, "address": node.address,
        "pid": node.pid, "software": brokers.software(str(node.config.settings["program"])),
    }  # fmt: skip


def test_a_killed_broker_comes_back_on_its_address_and_the_servers_reconnect(
    cluster: Cluster,
) -> None:
    servers = Servers(cluster)
    node = broker_node(cluster)
    address, pid = node.address, node.pid
    first, second = servers.addresses
    ok(create_client(servers, first, "before"))
    cluster.kill("broker")
    wait_until(lambda: connected(servers, False), "the servers notice the broker is gone")
    cluster.start_node("broker")
    assert (node.address, cluster.config.options["broker"]) == (address, address)
    assert node.pid != pid
    wait_until(lambda: connected(servers, True), "the servers reconnect to the same address")
    ok(create_client(servers, first, "after"))
    wait_until(lambda: servers.client(second, "after") is not None, "the write replicates")
    servers.close()


def test_a_paused_broker_resumes(cluster: Cluster) -> None:
    servers = Servers(cluster)
    first, second = servers.addresses
    cluster.pause("broker")
    cluster.resume("broker")
    ok(create_client(servers, first, "after-pause"))
    wait_until(lambda: servers.client(second, "after-pause") is not None, "it replicates")
    servers.close()
