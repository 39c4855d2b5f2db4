"""Open-loop users against a real memory server paused for half a second (SIGSTOP).

Under the open loop the calls keep falling due while the server is stopped, and each
one's latency counts from its due time, so every call due during the pause waits out
the rest of it: many slow calls. Under the closed loop a user sends nothing while its
call hangs, so no more than one call per user meets the pause: the queueing is hidden.
"""

import csv
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.launcher import Cluster
from loadtests.history import Operation
from loadtests.options import OptionsError, settings
from loadtests.pacing import Schedule
from tests.loadtests.locust_runs import run_scenario
from tests.loadtests.test_locust_options import options
from tests.loadtests.test_locust_scenarios import memory_cluster

USERS = 4
USER_RATE = 25.0  # calls per second per user: 100 a second in all
PAUSE_S = 0.5
STARTED_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with memory_cluster(tmp_path_factory.mktemp("memory")) as running:
        yield running


def _requests(csv_prefix: Path) -> int:
    try:
        with open(f"{csv_prefix}_stats.csv", newline="") as file:
            rows = [row for row in csv.DictReader(file) if row.get("Name") == "Aggregated"]
        return int(rows[-1]["Request Count"])
    except (OSError, IndexError, KeyError, ValueError, TypeError):
        return 0


def _pause_once_loaded(
    cluster: Cluster, csv_prefix: Path, window: list[float]
) -> Callable[[], None]:
    """Once Locust reports calls, stop the server for PAUSE_S; `window` gets the times."""

    def pause() -> None:
        deadline = time.monotonic() + STARTED_TIMEOUT_S
        while _requests(csv_prefix) < 20:
            assert time.monotonic() < deadline, "Locust sent no calls"
            time.sleep(0.05)
        cluster.pause("s1")
        window.append(time.monotonic())
        time.sleep(PAUSE_S)  # the stimulus itself: how long the server stays stopped
        window.append(time.monotonic())
        cluster.resume("s1")

    return pause


def _run(cluster: Cluster, directory: Path, extra: list[str], seed: int) -> tuple[
    list[Operation], float, float
]:  # fmt: skip
    window: list[float] = []
    run = run_scenario(
        "crud", cluster.addresses(), directory, users=USERS, seconds=6, seed=seed, extra=extra,
        during=_pause_once_loaded(cluster, directory / "locust", window),
    )  # fmt: skip
    users = [o for o in run.history() if o.process != "setup"]
    return users, window[0], window[1]


def test_open_loop_latency_counts_the_queueing_behind_a_paused_server(
    cluster: Cluster, tmp_path: Path
) -> None:
    history, stopped, resumed = _run(cluster, tmp_path, ["--user-rate", str(USER_RATE)], 11)
    assert all(o.intended is not None and o.intended <= o.invoke for o in history)
    due_early = [
        o for o in history if o.intended is not None and stopped <= o.intended < resumed - 0.25
    ]
    # About 100 calls a second were due: a quarter second's worth, whatever the replies.
    assert len(due_early) >= 10
    for o in due_early:
        assert o.complete >= resumed - 0.01  # nothing was answered while it was stopped
        assert o.latency_s >= resumed - (o.intended or 0.0) - 0.01
    assert sum(o.latency_s >= 0.25 for o in history) >= 10


def test_closed_loop_latency_hides_it_one_call_per_user(cluster: Cluster, tmp_path: Path) -> None:
    history, stopped, resumed = _run(cluster, tmp_path, [], 12)
    assert all(o.intended is None for o in history)
    # Each user's call in flight waits out the pause; no user sends another meanwhile.
    waited = [o for o in history if o.latency_s >= 0.25]
    assert 1 <= len(waited) <= USERS
    assert all(o.invoke < stopped + 0.1 and o.complete >= resumed - 0.01 for o in waited)


def test_a_schedule_is_fixed_at_its_start_and_never_pushed_back() -> None:
    schedule = Schedule(rate=4.0, phase=0.1)
    first = schedule.next_due()
    time.sleep(0.01)  # a slow call in between changes nothing
    later = [schedule.next_due() for _ in range(3)]
    assert schedule.start is not None and first == schedule.start + 0.1
    assert later == pytest.approx([first + 0.25, first + 0.5, first + 0.75])


def test_a_user_rate_must_be_a_positive_number() -> None:
    assert settings(options(servers="h:1", user_rate=2.5), None).user_rate == 2.5
    assert settings(options(servers="h:1"), None).user_rate is None
    for bad in (0.0, -1.0, float("inf")):
        with pytest.raises(OptionsError, match="--user-rate must be a positive number"):
            settings(options(servers="h:1", user_rate=bad), None)
