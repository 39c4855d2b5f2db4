"""Real Mosquitto brokers and real server processes for the mqtt-broadcast tests.

These tests start their own clusters of mqtt-broadcast servers, whatever strategy the
session selected, so they need Mosquitto (`apt-get install mosquitto`). Tox runs them
in the mqtt env only: the memory env ignores this directory.
"""

import itertools
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Protocol

import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from plugins.mqtt_broadcast import broker as brokers
from plugins.mqtt_broadcast.replicator import STRATEGY


class StartCluster(Protocol):
    def __call__(
        self, names: tuple[str, ...] = ("s1", "s2"), ready_timeout: float = 30.0, **options: Any
    ) -> Cluster: ...


def start_mosquitto(workdir: Path) -> brokers.Broker:
    if brokers.find_mosquitto() is None:
        pytest.skip(f"these tests run a real Mosquitto: {brokers.INSTALL_MOSQUITTO}")
    return brokers.start("mosquitto", workdir)


@pytest.fixture(scope="session")
def shared_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[brokers.Broker]:
    """One Mosquitto for the tests that leave it running; each test has its own topics."""
    broker = start_mosquitto(tmp_path_factory.mktemp("mosquitto"))
    yield broker
    broker.stop()


@pytest.fixture
def broker(shared_broker: brokers.Broker) -> brokers.Broker:
    return shared_broker


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    """A topic prefix no other test uses, so tests can share the broker."""
    return "t/" + re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name)[:60]


@pytest.fixture
def start_cluster(broker: brokers.Broker, prefix: str, tmp_path: Path) -> Iterator[StartCluster]:
    """Start servers on `broker` under `prefix`; all of them stop after the test."""
    numbers = itertools.count(1)
    with ExitStack() as stack:

        def start(
            names: tuple[str, ...] = ("s1", "s2"), ready_timeout: float = 30.0, **options: Any
        ) -> Cluster:
            config = ClusterConfig(
                strategy=STRATEGY,
                options={"broker": broker.address, "topic_prefix": prefix, **options},
                nodes=tuple(NodeConfig(name, port=0) for name in names),
            )
            workdir = tmp_path / f"cluster{next(numbers)}"
            return stack.enter_context(Cluster(config, workdir, ready_timeout=ready_timeout))

        yield start
