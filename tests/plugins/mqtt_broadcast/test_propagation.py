"""A write on one server reaches every server, through a broker the launcher started."""

from collections.abc import Iterator

import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from plugins.mqtt_broadcast import broker as brokers
from plugins.mqtt_broadcast.replicator import STRATEGY
from tests.plugins.mqtt_broadcast.support import (
    Servers,
    create_client,
    create_order,
    create_product,
    ok,
    wait_until,
)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Three servers and the broker the strategy's provisioning starts for them."""
    if brokers.find_mosquitto() is None:
        pytest.skip(f"these tests run a real Mosquitto: {brokers.INSTALL_MOSQUITTO}")
    config = ClusterConfig(
        strategy=STRATEGY, nodes=tuple(NodeConfig(f"s{n}", port=0) for n in (1, 2, 3))
    )
    with Cluster(config, tmp_path_factory.mktemp("propagation")) as running:
        yield running


@pytest.fixture
def servers(cluster: Cluster) -> Iterator[Servers]:
    servers = Servers(cluster)
    yield servers
    servers.close()


def test_the_launcher_starts_mosquitto_on_loopback_for_the_servers(cluster: Cluster) -> None:
    (broker,) = [node for node in cluster.describe()["nodes"] if node["kind"] == "broker"]
    assert (broker["name"], broker["group"]) == ("broker", None)
    assert broker["address"].startswith("127.0.0.1:")
    assert cluster.config.options["broker"] == broker["address"]
    assert (cluster.workdir / "broker-mosquitto.conf").exists()


def test_a_write_on_one_server_is_visible_on_every_server(servers: Servers) -> None:
    first = servers.addresses[0]
    ok(create_client(servers, first, "prop-c1"))
    for address in servers.addresses:

        def arrived(address: str = address) -> bool:
            return servers.client(address, "prop-c1") is not None

        wait_until(arrived, f"the client reaches {address}")
        assert servers.client(address, "prop-c1") == {"name": "client prop-c1"}


def test_an_order_and_its_stock_change_reach_every_server(servers: Servers) -> None:
    first, second, third = servers.addresses
    ok(create_client(servers, first, "prop-c2"))
    ok(create_product(servers, first, "prop-p2", 10))
    servers.settle()
    ok(create_order(servers, second, "prop-o2", "prop-c2", [("prop-p2", 4)]))
    servers.settle()
    product = servers.product(third, "prop-p2")
    assert product is not None and product["quantity"] == 6


def test_every_server_reports_itself_as_a_connected_peer(servers: Servers) -> None:
    for address in servers.addresses:
        status = servers.status(address)
        assert status["role"] == "peer"
        assert status["details"]["connected"] is True
        assert status["details"]["caught_up"] is True
        assert len(status["details"]["peers"]) == 2
