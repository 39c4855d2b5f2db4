"""The broker goes away and comes back: 503s meanwhile, then business as usual.

A write refused while the broker is unreachable changed nothing (trailer `none`); one
whose message the broker took but never confirmed may be anywhere (`unknown`).
"""

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.mqtt_broadcast import broker as brokers
from proto import api_pb2 as pb
from tests.plugins.mqtt_broadcast.conftest import StartCluster, start_mosquitto
from tests.plugins.mqtt_broadcast.support import TIMEOUT_S, Servers, ok, wait_until

UNREACHABLE = "the MQTT broker is unreachable; nothing changed, retry"
TRAILER = "testbed-outcome"


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


def create_client(servers: Servers, address: str, cid: str) -> tuple[pb.Reply, list[object]]:
    """The reply to CreateClient, and every value of its outcome trailer."""
    request = pb.Client(CID=cid, data=json.dumps({"name": f"client {cid}"}))
    reply, call = servers.admin(address).CreateClient.with_call(request, timeout=TIMEOUT_S)
    return reply, [value for key, value in call.trailing_metadata() or () if key == TRAILER]


def test_servers_refuse_writes_while_the_broker_is_down_and_carry_on_after(
    start_cluster: StartCluster, restartable: Restartable
) -> None:
    servers = Servers(start_cluster(("s1", "s2")))
    first, second = servers.addresses
    ok(create_client(servers, first, "before")[0])
    digest = servers.settle()

    restartable.stop()
    wait_until(lambda: connected(servers, False), "every server notices the broker is gone")
    for address in servers.addresses:
        reply, trailer = create_client(servers, address, "during")
        assert (reply.error, reply.description, trailer) == (503, UNREACHABLE, ["none"])
        assert servers.client(address, "before") is not None, "reads keep serving local state"
        assert servers.client(address, "during") is None
    assert servers.digests() == {first: digest, second: digest}, "a refused write changed state"

    restartable.start_again()
    wait_until(lambda: connected(servers, True), "every server reconnects")
    ok(create_client(servers, second, "after")[0])
    servers.settle()
    for address in servers.addresses:
        assert servers.client(address, "after") is not None
        assert servers.client(address, "during") is None
    servers.close()


def test_a_write_the_broker_took_but_never_confirmed_has_an_unknown_outcome(
    start_cluster: StartCluster, restartable: Restartable
) -> None:
    servers = Servers(start_cluster(("s1", "s2"), publish_timeout=0.5))
    first, second = servers.addresses
    # Stopped, not gone: the connections stay open, so the servers still count as
    # connected and the write's message waits in the broker's socket, unanswered.
    broker = restartable.current.process
    broker.send_signal(signal.SIGSTOP)
    try:
        reply, trailer = create_client(servers, first, "in-doubt")
    finally:
        broker.send_signal(signal.SIGCONT)
    assert (reply.error, trailer) == (503, ["unknown"]), reply.description
    assert "applied on this server and may still reach the others" in reply.description
    # And so it does, once the broker runs again: it was not "nothing changed".
    servers.settle()
    assert all(servers.client(address, "in-doubt") is not None for address in (first, second))
    servers.close()
