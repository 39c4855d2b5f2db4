"""A server that dies under load: its calls are recorded as failed or unknown, and Locust
counts them as failures, exit code 1."""

import time
from collections import Counter
from pathlib import Path

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from loadtests.calls import NO_REPLY, refused
from tests.loadtests.locust_runs import run_scenario


def test_calls_to_a_dead_server_are_recorded_and_counted_as_failures(tmp_path: Path) -> None:
    config = ClusterConfig("memory", nodes=(NodeConfig("s1", port=0),))
    with Cluster(config, tmp_path / "cluster") as cluster:
        killed: list[float] = []

        def kill_midway() -> None:
            time.sleep(3.0)
            cluster.kill("s1")
            killed.append(time.monotonic())

        run = run_scenario(
            "mixed", cluster.addresses(), tmp_path / "load", seconds=5, during=kill_midway,
            exit_code=1,
        )  # fmt: skip
    history = [o for o in run.history() if o.process != "setup"]
    after = [o for o in history if o.invoke > killed[0]]
    assert len(after) > 10
    for o in after:
        if o.is_read:
            assert (o.outcome, o.result["found"]) == ("fail", False)
        else:
            assert (o.outcome, o.result["error"]) == ("unknown", NO_REPLY)
        assert o.result["description"].startswith("UNAVAILABLE: ")
    requests, failures = run.locust_counts()
    assert requests == Counter(o.op for o in history)
    errors = Counter(o.op for o in history if o.outcome != "ok" and not refused(o.result))
    assert failures == errors
    assert sum(errors.values()) >= len(after)
