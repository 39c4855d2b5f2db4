"""Selecting the strategy under test and starting its cluster.

`--strategy NAME` (or TESTBED_STRATEGY) picks the strategy; `--servers N` (or
TESTBED_CLUSTER_SIZE) the cluster size, by default 3 where the strategy allows it.
"""

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import registry
from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from core.strategy import StrategyDescriptor
from tests.support.api import Api


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--strategy", default=os.environ.get("TESTBED_STRATEGY", "memory"))
    parser.addoption("--servers", type=int, default=os.environ.get("TESTBED_CLUSTER_SIZE"))


@pytest.fixture(scope="session")
def strategy(request: pytest.FixtureRequest) -> StrategyDescriptor:
    return registry.get(request.config.getoption("--strategy"))


def cluster_config(
    strategy: StrategyDescriptor, servers: int | None, options: dict[str, object] | None = None
) -> ClusterConfig:
    count = servers or strategy.topology.servers(3)
    return ClusterConfig(
        strategy=strategy.name,
        options=options or {},
        nodes=tuple(NodeConfig(f"s{n}", port=0) for n in range(1, count + 1)),
    )


@pytest.fixture(scope="session")
def cluster(
    request: pytest.FixtureRequest,
    strategy: StrategyDescriptor,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    config = cluster_config(strategy, request.config.getoption("--servers"))
    with Cluster(config, workdir=tmp_path_factory.mktemp("cluster")) as running:
        yield running


@pytest.fixture(scope="session")
def api(cluster: Cluster, strategy: StrategyDescriptor) -> Iterator[Api]:
    client = Api(cluster, eventual=strategy.consistency != "linearizable")
    yield client
    client.close()


_test_numbers = itertools.count(1)


@pytest.fixture
def ids(request: pytest.FixtureRequest) -> Iterator[str]:
    """Unique IDs for one test: t<N>-<test name>-1, -2, ..."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name)[:40]
    prefix = f"t{next(_test_numbers)}-{name}"
    return (f"{prefix}-{n}" for n in itertools.count(1))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
