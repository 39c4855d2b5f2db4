"""The five scenarios, each run headless by Locust for 3 s against one memory server."""

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from loadtests.calls import NO_REPLY, RPCS, refused
from loadtests.checkers import check_all
from loadtests.compare.replicas import collect
from loadtests.history import Operation, outcome_of
from tests.loadtests.locust_runs import LOADTESTS, LocustRun, run_scenario

ADMIN = {name for name, rpc in RPCS.items() if rpc.portal == "admin"}
MIXES = {
    "crud": ADMIN,
    "order-rush": {
        "CreateProduct", "CreateClient", "CreateOrder", "DeleteOrder",
        "RetrieveProduct", "RetrieveOrder",
    },
    "read-your-writes": {
        "CreateClient", "UpdateClient", "RetrieveClient", "CreateProduct", "UpdateProduct",
        "RetrieveProduct", "CreateOrder", "RetrieveOrder",
    },
    "session": {"CreateClient", "UpdateClient", "RetrieveClient"},
    "mixed": set(RPCS),
}  # fmt: skip
SCENARIOS = sorted(MIXES)
USERS = {f"u{n}" for n in range(1, 5)}


def memory_cluster(workdir: Path) -> Cluster:
    return Cluster(ClusterConfig("memory", nodes=(NodeConfig("s1", port=0),)), workdir)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with memory_cluster(tmp_path_factory.mktemp("memory")) as cluster:
        yield cluster.addresses()[0]


@pytest.fixture(scope="module", params=SCENARIOS)
def run(
    request: pytest.FixtureRequest, server: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, LocustRun]:
    scenario: str = request.param
    seed = SCENARIOS.index(scenario) + 1  # its own IDs on the shared server
    return scenario, run_scenario(scenario, [server], tmp_path_factory.mktemp(scenario), seed=seed)


def users_calls(history: list[Operation]) -> list[Operation]:
    return [o for o in history if o.process != "setup"]


def test_every_call_is_recorded_with_raw_monotonic_times_and_its_server(
    run: tuple[str, LocustRun], server: str
) -> None:
    _, locust = run
    history = locust.history()
    assert len(users_calls(history)) > 20  # a loaded machine makes fewer in the 3 s
    for o in history:
        assert type(o.invoke) is float and type(o.complete) is float
        assert locust.started <= o.invoke <= o.complete <= locust.ended
        assert o.server == server
    assert {o.process for o in users_calls(history)} == USERS
    assert any((o.complete - o.invoke) * 1000 % 1 for o in history)  # not whole milliseconds


def test_the_scenario_makes_its_own_mix_of_calls(run: tuple[str, LocustRun]) -> None:
    scenario, locust = run
    assert {o.op for o in locust.history()} == MIXES[scenario]


def test_outcomes_agree_with_results(run: tuple[str, LocustRun]) -> None:
    _, locust = run
    for o in locust.history():
        assert o.key is not None, o
        if o.is_read:
            assert o.outcome in {"ok", "fail"}
            assert isinstance(o.result["found"], bool)
            assert (o.result["data"] is not None) == (o.outcome == "ok" and o.result["found"])
        elif o.result["error"] == NO_REPLY:
            assert o.outcome == "unknown"
        else:
            assert o.outcome == outcome_of(o.result["error"], o.result["outcome"])
            assert o.result["outcome"] in {"done", "refused", "none", "unknown"}


def test_the_setup_is_recorded_before_the_users_start(run: tuple[str, LocustRun]) -> None:
    scenario, locust = run
    history = locust.history()
    setup = [o for o in history if o.process == "setup"]
    if scenario in ("read-your-writes", "session"):  # each user creates its own records
        assert not setup
        return
    assert setup and all(o.op.startswith("Create") and o.outcome == "ok" for o in setup)
    assert max(o.complete for o in setup) < min(o.invoke for o in users_calls(history))


def test_locust_counts_every_call_and_refusals_as_successes(run: tuple[str, LocustRun]) -> None:
    scenario, locust = run
    history = users_calls(locust.history())
    requests, failures = locust.locust_counts()
    assert requests == Counter(o.op for o in history)
    assert sum(failures.values()) == 0
    assert 0 < locust.csv_requests() <= len(history)
    refusals = Counter(o.result["error"] for o in history if refused(o.result))
    if scenario == "crud":
        assert refusals.keys() == {400, 404, 409}
    if scenario == "order-rush":
        assert refusals[409] > 0  # it sells out
        assert any(o.op == "CreateOrder" and o.outcome == "ok" for o in history)


def test_the_checkers_find_no_anomaly_on_memory(run: tuple[str, LocustRun], server: str) -> None:
    scenario, locust = run
    history = sorted(locust.history(), key=lambda o: o.invoke)
    replicas, notes = collect(
        {"s1": (server, "replicas")}, history, timeout=5.0, stopped=time.monotonic()
    )
    report = check_all(history, replicas)
    assert not notes
    assert set(report.counts().values()) == {0}, report
    exercised = {
        "crud": report.linearizability.keys > 8 and report.updates.read_modify_writes > 0,
        "session": report.sessions.reads > 0,
    }
    assert exercised.get(scenario, bool(report.stock.products))


def test_a_seed_repeats_every_users_choices(server: str, tmp_path: Path) -> None:
    def choice(o: Operation) -> tuple[str, object]:
        # A read-modify-write writes what its read returned: the other user's timing.
        derived = isinstance(o.args.get("data"), dict) and "writer" in o.args["data"]
        return (o.op, o.key if derived else o.args)

    def choices(run: LocustRun) -> list[tuple[str, object]]:
        return [choice(o) for o in run.history() if o.process == "u1"]

    first = run_scenario("crud", [server], tmp_path / "a", users=2, seconds=2, seed=90)
    with memory_cluster(tmp_path / "fresh") as fresh:
        again = run_scenario("crud", fresh.addresses(), tmp_path / "b", users=2, seconds=2, seed=90)
    # How far each run gets depends on the machine's load; the choices made must not.
    made = min(len(choices(first)), len(choices(again)))
    assert made >= 20
    assert choices(first)[:made] == choices(again)[:made]


def test_a_server_that_is_no_address_stops_locust_with_a_sentence(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOADTESTS / "crud.py"), "--headless",
         "-t", "1s", "--servers", "localhost"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "--servers: address 'localhost' must be HOST:PORT" in done.stderr
