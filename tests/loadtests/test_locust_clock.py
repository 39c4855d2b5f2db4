"""A locustfile that took seconds to import still gets its whole --run-time.

gevent's loop caches its time; Locust arms the run-time timer from that cache, so
without `grpc_user`'s refresh a run whose imports took 2 s ended at once after a
`-t 2s` (seen as flaky scenario tests on a loaded machine).
"""

import subprocess
import sys
from pathlib import Path

from tests.loadtests.locust_runs import TIMEOUT_S

LOCUSTFILE = """
import time
from pathlib import Path

from locust import User, constant, events, task

import loadtests.grpc_user  # noqa: F401  (its listeners, the clock's refresh among them)

began = time.monotonic()
while time.monotonic() - began < 2.0:  # a slow import, busy as a loaded machine's
    pass

times = Path(__file__).with_name("times.txt")


class Idle(User):
    wait_time = constant(0.2)

    @task
    def nothing(self) -> None:
        pass


@events.test_start.add_listener
def started(**_: object) -> None:
    times.write_text(f"{time.monotonic()}\\n")


@events.test_stop.add_listener
def stopped(**_: object) -> None:
    with times.open("a") as file:
        file.write(f"{time.monotonic()}\\n")
"""


def test_a_slow_import_does_not_cut_the_run_short(tmp_path: Path) -> None:
    locustfile = tmp_path / "slow_import.py"
    locustfile.write_text(LOCUSTFILE)
    command = [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", "1",
        "-r", "1", "-t", "2s", "--only-summary", "--servers", "127.0.0.1:1",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]
    start, stop = (float(line) for line in (tmp_path / "times.txt").read_text().split())
    assert stop - start >= 1.9, f"the 2 s run lasted {stop - start:.3f} s"
