"""Locust's distributed mode: a master and two worker processes, over three Raft servers."""

from collections import Counter
from collections.abc import Iterator
from itertools import pairwise

import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from loadtests.calls import refused
from loadtests.checkers import check_all
from loadtests.compare.replicas import collect
from loadtests.history import read_history
from tests.loadtests.locust_runs import LocustRun, run_scenario


@pytest.fixture(scope="module")
def raft(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    servers = tuple(NodeConfig(f"s{n}", port=0) for n in (1, 2, 3))
    config = ClusterConfig("pysyncobj-raft", nodes=servers)
    with Cluster(config, workdir=tmp_path_factory.mktemp("raft")) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def run(raft: Cluster, tmp_path_factory: pytest.TempPathFactory) -> LocustRun:
    directory = tmp_path_factory.mktemp("distributed")
    return run_scenario("read-your-writes", raft.addresses(), directory, extra=["--processes", "2"])


def test_each_worker_writes_its_own_history_file(run: LocustRun) -> None:
    files = run.files()
    assert [path.name for path in files] == [
        "history.jsonl.gz",
        "history.jsonl.gz.worker-0",
        "history.jsonl.gz.worker-1",
    ]
    master, *workers = (read_history(path) for path in files)
    assert master == []  # it runs no users, and this scenario has no shared setup
    for index, history in enumerate(workers):
        assert {o.process for o in history} == {f"w{index}-u1", f"w{index}-u2"}


def test_the_master_counts_what_the_workers_recorded(run: LocustRun) -> None:
    history = run.history()
    requests, failures = run.locust_counts()
    assert requests == Counter(o.op for o in history)
    assert failures == Counter(o.op for o in history if o.outcome != "ok" and not refused(o.result))


def test_users_spread_over_every_server_and_read_back_on_another(
    run: LocustRun, raft: Cluster
) -> None:
    history = sorted(run.history(), key=lambda o: o.invoke)
    calls = Counter(o.server for o in history)
    assert calls.keys() == set(raft.addresses())
    assert min(calls.values()) > len(history) / 6
    reads = 0
    for process in {o.process for o in history}:
        mine = [o for o in history if o.process == process]
        for write, read in pairwise(mine):
            if read.is_read:
                assert not write.is_read and write.key == read.key
                assert write.server != read.server
                reads += 1
    assert reads > 50


def test_the_checkers_find_no_anomaly_on_raft(run: LocustRun, raft: Cluster) -> None:
    history = sorted(run.history(), key=lambda o: o.invoke)
    addresses = {s.name: (s.address, str(s.group)) for s in raft.servers}
    replicas, notes = collect(addresses, history, timeout=10.0, stopped=run.ended)
    report = check_all(history, replicas)
    assert not notes
    assert set(report.counts().values()) == {0}, report
    assert report.staleness.reads > 50
