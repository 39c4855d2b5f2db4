"""The broker goes away and comes back on the same port: 503s meanwhile, then business as usual."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.mqtt_broadcast import broker as brokers
from tests.plugins.mqtt_broadcast.conftest import StartCluster, start_mosquitto
from tests.plugins.mqtt_broadcast.support import Servers, create_client, ok, wait_until

UNREACHABLE = "the MQTT broker is unreachable; nothing changed, retry"


class Restartable:
    """A private Mosquitto that the test can stop and start again on its port."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.current = start_mosquitto(workdir)

    @property
    def address(self) -> str:
        return self.current.address

    def stop(self) -> None:
        self.current.stop()

    def start_again(self) -> None:
        self.current = brokers.start("mosquitto", self.workdir, port=self.current.port)


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[Restartable]:
    broker = Restartable(tmp_path / "mosquitto")
    yield broker
    broker.stop()


@pytest.fixture
def broker(restartable: Restartable) -> Restartable:
    return restartable  # start_cluster connects its servers to this one


def connected(servers: Servers, expected: bool) -> bool:
    return all(servers.details(a)["connected"] is expected for a in servers.addresses)


def test_servers_refuse_writes_while_the_broker_is_down_and_carry_on_after(
    start_cluster: StartCluster, restartable: Restartable
) -> None:
    servers = Servers(start_cluster(("s1", "s2")))
    first, second = servers.addresses
    ok(create_client(servers, first, "before"))
    digest = servers.settle()

    restartable.stop()
    wait_until(lambda: connected(servers, False), "every server notices the broker is gone")
    for address in servers.addresses:
        reply = create_client(servers, address, "during")
        assert (reply.error, reply.description) == (503, UNREACHABLE)
        assert servers.client(address, "before") is not None, "reads keep serving local state"
        assert servers.client(address, "during") is None
    assert servers.digests() == {first: digest, second: digest}, "a refused write changed state"

    restartable.start_again()
    wait_until(lambda: connected(servers, True), "every server reconnects")
    ok(create_client(servers, second, "after"))
    servers.settle()
    for address in servers.addresses:
        assert servers.client(address, "after") is not None
        assert servers.client(address, "during") is None
    servers.close()
