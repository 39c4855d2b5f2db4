"""A tiny `testbed compare` end to end: real clusters, real Locust, real checkers.

Beside memory and pysyncobj-raft it runs `ack-before-apply`, a strategy that is
broken on purpose and registered only here: it answers a write as soon as it has
decided it, and applies the effects a moment later. Its servers are started by the
launcher in other processes, so it is installed as a third-party distribution
(`plugin_site`).
The comparison must find anomalies in it, and none in the two correct strategies.
It runs twice, the second time as `slow=ack-before-apply` with a delay of its own.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.cli.main import main
from loadtests.compare.history_plot import MAX_DRAWN
from loadtests.history import Operation, read_history
from loadtests.percentiles import percentile
from tests.loadtests.plugin_site import installed

BROKEN = "ack-before-apply"
BROKEN_MODULE = '''
"""Acknowledges a write once decided; applies it DELAY seconds later (broken on purpose)."""

import queue
import threading
import time

from core.hookspecs import hookimpl
from core.replica import Replica
from core.replication import Status
from core.strategy import Option, StrategyDescriptor
from core.topology import Count, Member, Topology


class AckBeforeApply:
    def __init__(self, context):
        self._node = context.node.name
        self._delay = context.options["delay"]
        self._replica = Replica()
        self._pending = queue.SimpleQueue()
        self._applier = threading.Thread(target=self._apply_later, daemon=True)

    def start(self):
        self._applier.start()

    def execute(self, command):
        outcome = self._replica.decide(command)
        self._pending.put((time.monotonic() + self._delay, outcome.effects))
        return outcome.reply

    def _apply_later(self):
        while True:
            due, effects = self._pending.get()
            time.sleep(max(0.0, due - time.monotonic()))
            self._replica.apply(effects)

    def read(self, query):
        return self._replica.read(query)

    def digest(self):
        return self._replica.digest()

    def status(self):
        return Status(strategy="ack-before-apply", node=self._node, role="single")

    def stop(self):
        pass


@hookimpl
def testbed_strategies():
    return [
        StrategyDescriptor(
            "ack-before-apply",
            "answers writes before applying them (broken on purpose, for tests)",
            AckBeforeApply,
            options={"delay": Option(0.2, "seconds between answering and applying a write")},
            topology=Topology((Member("server", Count(1, 1, 1)),)),
        )
    ]
'''
SLOW = "slow"  # a run of the broken strategy under a label, with its own option
STRATEGIES = ("memory", "pysyncobj-raft", BROKEN, SLOW)


@pytest.fixture(scope="module")
def broken_strategy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The broken strategy as an installed plugin, for this process and its children."""
    with installed(tmp_path_factory.mktemp("site"), "ack_before_apply", BROKEN_MODULE):
        yield BROKEN


@pytest.fixture(scope="module")
def out(broken_strategy: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("compare") / "out"
    code = main([
        "compare", "--strategies", f"memory,pysyncobj-raft,{BROKEN},{SLOW}={BROKEN}",
        "-o", f"{SLOW}.delay=0.4", "--scenario", "mixed", "--users", "2,6",
        "--duration", "3s", "--servers", "3", "--out", str(directory),
    ])  # fmt: skip
    assert code == 0
    return directory


@pytest.fixture(scope="module")
def results(out: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / "results.json").read_text())
    return document


def _history(out: Path, files: list[str]) -> list[Operation]:
    return [o for name in files for o in read_history(out / name)]


def test_the_broken_strategy_is_caught_and_the_correct_ones_are_not(
    results: dict[str, Any],
) -> None:
    strategies = results["strategies"]
    assert set(strategies) == set(STRATEGIES)
    for name in ("memory", "pysyncobj-raft"):
        assert set(strategies[name]["anomalies"].values()) == {0}, name
        assert strategies[name]["converged"] is True
    for name in (BROKEN, SLOW):
        assert sum(strategies[name]["anomalies"].values()) > 0, name
        assert len(strategies[name]["servers"]) == 1
    assert len(strategies["pysyncobj-raft"]["servers"]) == 3
    assert len(strategies["memory"]["servers"]) == 1


def test_a_labelled_run_is_its_strategy_with_options_of_its_own(
    out: Path, results: dict[str, Any]
) -> None:
    assert {name: entry["strategy"] for name, entry in results["strategies"].items()} == {
        "memory": "memory", "pysyncobj-raft": "pysyncobj-raft", BROKEN: BROKEN, SLOW: BROKEN,
    }  # fmt: skip
    options = results["environment"]["strategy_options"]
    assert options[BROKEN] == {"delay": 0.2}  # the default
    assert options[SLOW] == {"delay": 0.4}
    assert results["manifest"]["strategies"][SLOW]["strategy"] == BROKEN
    assert (out / SLOW / "cluster").is_dir() and (out / BROKEN / "cluster").is_dir()


def test_results_agree_with_the_recorded_history(out: Path, results: dict[str, Any]) -> None:
    assert results["users"] == [2, 6] and results["duration_s"] == 3.0
    for name, entry in results["strategies"].items():
        runs = [_history(out, run["histories"]) for run in entry["by_users"]]
        assert [run["users"] for run in entry["by_users"]] == [2, 6]
        spans = [max(o.complete for o in h) - min(o.invoke for o in h) for h in runs]
        operations = sum(map(len, runs))
        assert entry["operations"] == operations > 0, name
        succeeded = operations - entry["errors"]  # throughput counts successes only
        assert entry["throughput_ops_s"] == pytest.approx(succeeded / sum(spans))
        latencies = sorted(o.latency_s * 1000 for h in runs for o in h)
        # The HDR histogram's percentiles: nearest rank to 3 significant digits.
        shown = entry["latency_ms"]
        assert shown["max"] == pytest.approx(latencies[-1])
        for key, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            assert shown[key] == pytest.approx(percentile(latencies, fraction), rel=1e-3, abs=1e-3)
        assert sum(op["operations"] for op in entry["by_operation"].values()) == operations


def test_the_report_is_written_with_its_plots(out: Path, results: dict[str, Any]) -> None:
    page = (out / "report.html").read_text()
    # The first few findings of each kind drawn as timelines: the broken strategy's only.
    histories = {
        f"history-{name}-{kind}-{n}.png"
        for name, entry in results["strategies"].items()
        for kind in ("linearizability", "stale_reads")
        for n in range(1, min(entry["anomalies"][kind], MAX_DRAWN) + 1)
    }
    assert all(name.startswith((f"history-{BROKEN}-", f"history-{SLOW}-")) for name in histories)
    plots = 3 + len(STRATEGIES) + len(histories)  # and timelines
    assert page.count('src="data:image/png;base64,') == plots
    for name in STRATEGIES:
        assert f'<h2 id="{name}">' in page
    assert {p.name for p in (out / "plots").iterdir()} == {
        "latency_cdf.png",
        "throughput.png",
        "anomalies.png",
        *(f"timeline-{name}.png" for name in STRATEGIES),
        *histories,
    }
