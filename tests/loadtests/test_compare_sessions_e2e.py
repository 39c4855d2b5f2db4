"""`testbed compare` on the session and crud scenarios: the session guarantees and lost
updates are found in a strategy broken on purpose, and none in memory or pysyncobj-raft.

`lagging-reads`, registered only here, applies every write at once to one copy and
half a second later to another, and serves its reads from the two in turn: a write
is answered before every copy a read may come from holds it (read-your-writes), one
read may come from the newer copy and the next from the older (monotonic reads), and
a read-modify-write may start from the older copy, overwriting what it missed (lost
updates). It keeps one server, so every user's session is on it.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.cli.main import main
from tests.loadtests.plugin_site import installed

BROKEN = "lagging-reads"
BROKEN_MODULE = '''
"""Reads from two copies in turn, one a write DELAY seconds behind (broken on purpose)."""

import itertools
import queue
import threading
import time

from core.hookspecs import hookimpl
from core.replica import Replica
from core.replication import Status
from core.strategy import Option, StrategyDescriptor
from core.topology import Count, Member, Topology


class LaggingReads:
    def __init__(self, context):
        self._node = context.node.name
        self._delay = context.options["delay"]
        self._current = Replica()
        self._lagging = Replica()
        self._turns = itertools.count()
        self._pending = queue.SimpleQueue()
        self._applier = threading.Thread(target=self._apply_later, daemon=True)

    def start(self):
        self._applier.start()

    def execute(self, command):
        outcome = self._current.execute(command)
        self._pending.put((time.monotonic() + self._delay, outcome.effects))
        return outcome.reply

    def _apply_later(self):
        while True:
            due, effects = self._pending.get()
            time.sleep(max(0.0, due - time.monotonic()))
            self._lagging.apply(effects)

    def read(self, query):
        copy = self._lagging if next(self._turns) % 2 else self._current
        return copy.read(query)

    def digest(self):
        return self._current.digest()

    def status(self):
        return Status(strategy="lagging-reads", node=self._node, role="single")

    def stop(self):
        pass


@hookimpl
def testbed_strategies():
    return [
        StrategyDescriptor(
            "lagging-reads",
            "reads from two copies in turn, one behind (broken on purpose, for tests)",
            LaggingReads,
            options={"delay": Option(0.5, "seconds the second copy applies a write late")},
            topology=Topology((Member("server", Count(1, 1, 1)),)),
        )
    ]
'''
STRATEGIES = ("memory", "pysyncobj-raft", BROKEN)
CORRECT = ("memory", "pysyncobj-raft")


@pytest.fixture(scope="module")
def broken_strategy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with installed(tmp_path_factory.mktemp("site"), "lagging_reads", BROKEN_MODULE):
        yield BROKEN


def _compare(scenario: str, directory: Path) -> Path:
    code = main([
        "compare", "--strategies", ",".join(STRATEGIES), "--scenario", scenario,
        "--users", "4", "--duration", "3s", "--servers", "3", "--out", str(directory),
    ])  # fmt: skip
    assert code == 0
    return directory


@pytest.fixture(scope="module")
def session(broken_strategy: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _compare("session", tmp_path_factory.mktemp("session") / "out")


@pytest.fixture(scope="module")
def crud(broken_strategy: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _compare("crud", tmp_path_factory.mktemp("crud") / "out")


def results_of(out: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / "results.json").read_text())
    return document


def _correct_ones_show_nothing(results: dict[str, Any]) -> None:
    for name in CORRECT:
        assert set(results["strategies"][name]["anomalies"].values()) == {0}, name


def test_a_session_that_misses_its_own_write_on_its_server_is_caught(session: Path) -> None:
    results = results_of(session)
    _correct_ones_show_nothing(results)
    entries = results["strategies"]
    assert entries[BROKEN]["anomalies"]["read_your_writes_violations"] > 0
    for name in STRATEGIES:
        assert entries[name]["checks"]["session_reads_checked"] > 0, name
    page = (session / "report.html").read_text()
    broken = page[page.index(f'<h2 id="{BROKEN}">') :]
    assert "<h4>Read-your-writes</h4>" in broken and "older than its own acknowledged" in broken


def test_a_session_whose_reads_go_back_on_its_server_is_caught(session: Path) -> None:
    results = results_of(session)
    _correct_ones_show_nothing(results)
    assert results["strategies"][BROKEN]["anomalies"]["monotonic_read_violations"] > 0
    page = (session / "report.html").read_text()
    assert "<h4>Monotonic reads</h4>" in page[page.index(f'<h2 id="{BROKEN}">') :]


def test_a_read_modify_write_from_a_stale_copy_is_a_lost_update(crud: Path) -> None:
    results = results_of(crud)
    _correct_ones_show_nothing(results)
    entries = results["strategies"]
    assert entries[BROKEN]["anomalies"]["lost_updates"] > 0
    for name in STRATEGIES:
        assert entries[name]["checks"]["read_modify_writes_checked"] > 0, name
    page = (crud / "report.html").read_text()
    assert "<h4>Lost updates</h4>" in page[page.index(f'<h2 id="{BROKEN}">') :]
