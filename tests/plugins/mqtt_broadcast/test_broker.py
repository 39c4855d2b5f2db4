"""The broker the launcher starts: Mosquitto, the amqtt fallback, or a configured one."""

import importlib.metadata
import logging
import socket
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from plugins.mqtt_broadcast import broker as brokers
from plugins.mqtt_broadcast.provision import provision
from plugins.mqtt_broadcast.replicator import STRATEGY
from tests.plugins.mqtt_broadcast.support import Servers, create_client, ok, wait_until

BROKER_NODE = NodeConfig("broker", port=1883, kind="broker")


def config(**options: object) -> ClusterConfig:
    return ClusterConfig(strategy=STRATEGY, options=options, nodes=(NodeConfig("s1"),))


def test_a_configured_broker_is_used_as_is(tmp_path: Path) -> None:
    given = replace(config(broker="mqtt.example:1883"), nodes=(NodeConfig("s1"), BROKER_NODE))
    provisioned = provision(given, tmp_path)
    assert provisioned.options["broker"] == "mqtt.example:1883"
    assert [node.kind for node in provisioned.nodes] == ["server"], "no broker node"
    assert list(tmp_path.iterdir()) == [], "nothing was written"


def test_without_mosquitto_auto_falls_back_to_amqtt_and_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(brokers, "find_mosquitto", lambda: None)
    monkeypatch.setattr(brokers, "amqtt_installed", lambda: True)
    with caplog.at_level(logging.WARNING):
        assert brokers.choose_kind("auto") == "amqtt"
    assert "apt-get install mosquitto" in caplog.text


def test_a_forced_kind_that_is_missing_fails_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(brokers, "find_mosquitto", lambda: None)
    monkeypatch.setattr(brokers, "amqtt_installed", lambda: False)
    with pytest.raises(brokers.BrokerError, match="apt-get install mosquitto"):
        brokers.choose_kind("mosquitto")
    with pytest.raises(brokers.BrokerError, match="pip install"):
        brokers.choose_kind("amqtt")
    with pytest.raises(brokers.BrokerError, match="broker=HOST:PORT"):
        brokers.choose_kind("auto")


def test_the_started_broker_listens_on_loopback_and_stops_with_the_cluster(
    tmp_path: Path,
) -> None:
    if brokers.find_mosquitto() is None:
        pytest.skip(f"runs a real Mosquitto: {brokers.INSTALL_MOSQUITTO}")
    with Cluster(config(broker_kind="mosquitto"), tmp_path / "cluster") as cluster:
        (node,) = [node for node in cluster.nodes if node.config.kind == "broker"]
        assert (node.name, node.config.settings["program"]) == ("broker", "mosquitto")
        assert node.address.startswith("127.0.0.1:")
        assert cluster.config.options["broker"] == node.address
        conf = (tmp_path / "cluster" / "broker-mosquitto.conf").read_text()
        assert "persistence false" in conf
        assert f"listener {node.config.port} 127.0.0.1" in conf
        assert listening(node.config.port)
        # The broker that runs is told as data, in the node's entry of the ready file.
        (entry,) = [n for n in cluster.describe()["nodes"] if n["kind"] == "broker"]
        assert entry["software"] == {"kind": "mosquitto", "version": installed_mosquitto()}
        servers = [n for n in cluster.describe()["nodes"] if n["kind"] == "server"]
        assert [n["software"] for n in servers] == [None]
    assert not listening(node.config.port)


def installed_mosquitto() -> str:
    """The installed Mosquitto's version, from the first line `mosquitto -h` prints."""
    shown = subprocess.run(
        [brokers.find_mosquitto() or "mosquitto", "-h"], capture_output=True, text=True
    ).stdout.splitlines()[0]
    assert shown.startswith("mosquitto version "), shown
    return shown.removeprefix("mosquitto version ").strip()


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
    except OSError:
        return False
    return True


def test_servers_replicate_over_the_amqtt_fallback(tmp_path: Path) -> None:
    if not brokers.amqtt_installed():
        pytest.skip(f"amqtt is not installed: {brokers.INSTALL_AMQTT}")
    two = ClusterConfig(
        strategy=STRATEGY,
        options={"broker_kind": "amqtt"},
        nodes=(NodeConfig("s1", port=0), NodeConfig("s2", port=0)),
    )
    with Cluster(two, tmp_path) as cluster:
        (broker,) = [n for n in cluster.nodes if n.config.kind == "broker"]
        assert broker.config.settings["program"] == "amqtt"
        version = importlib.metadata.version("amqtt")
        assert broker.describe()["software"] == {"kind": "amqtt", "version": version}
        servers = Servers(cluster)
        first, second = servers.addresses
        ok(create_client(servers, first, "over-amqtt"))
        wait_until(lambda: servers.client(second, "over-amqtt") is not None, "it replicates")
        servers.close()
