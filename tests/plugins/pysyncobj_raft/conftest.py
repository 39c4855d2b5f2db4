"""Clusters of real Raft members for the tests that kill, stop and restart them.

These tests start their own clusters, so they run only when the selected strategy is
pysyncobj-raft (tox env py311-raft) and are skipped otherwise; the tests of its
pure parts (settings, provisioning, replies, snapshots) run under every strategy.
"""

import itertools
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Protocol

import pytest

from core.config import ClusterConfig
from core.launcher import Cluster
from core.strategy import StrategyDescriptor
from plugins.pysyncobj_raft.status import STRATEGY
from tests.conftest import cluster_config


class StartCluster(Protocol):
    def __call__(
        self, config: ClusterConfig | None = None, workdir: Path | None = None, **options: Any
    ) -> Cluster: ...


def skip_unless_raft(strategy: StrategyDescriptor) -> None:
    if strategy.name != STRATEGY:
        pytest.skip(f"runs real {STRATEGY} clusters; the selected strategy is {strategy.name}")


@pytest.fixture
def shared_cluster(strategy: StrategyDescriptor, request: pytest.FixtureRequest) -> Cluster:
    """The session's cluster (the contract suite's), for tests that leave it running."""
    skip_unless_raft(strategy)
    running: Cluster = request.getfixturevalue("cluster")
    return running


@pytest.fixture
def start_cluster(strategy: StrategyDescriptor, tmp_path: Path) -> Iterator[StartCluster]:
    """Start a 3-server cluster (with these options, or this config and work directory);
    each one is stopped after the test."""
    skip_unless_raft(strategy)
    numbers = itertools.count(1)
    with ExitStack() as stack:

        def start(
            config: ClusterConfig | None = None, workdir: Path | None = None, **options: Any
        ) -> Cluster:
            config = config or cluster_config(strategy, 3, options)
            workdir = workdir or tmp_path / f"cluster{next(numbers)}"
            return stack.enter_context(Cluster(config, workdir=workdir))

        yield start
