"""A group of three real replicas of one partition, shared by a test module (the replica's
tests and the portal's hop)."""

from collections.abc import Iterator

import pytest

from tests.plugins.pysyncobj_raft_partitioned.replica.support import Group


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Group]:
    """Three replicas of partition 0 on LMDB; a lock timeout no test here reaches."""
    started = Group(tmp_path_factory.mktemp("replicas"), lock_timeout=60)
    try:
        started.start()
        yield started
    finally:
        started.stop()
