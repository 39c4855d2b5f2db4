"""One load run: Locust headless in its own process, against a running cluster.

The scenario's locustfile records every call in a history file: PATH, plus one per
worker process when Locust forks (--processes; see loadtests.recording). Locust's
--csv statistics are kept beside it, and read while it runs for the progress
display's operation count.
"""

import csv
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from loadtests.history import HistoryError, Operation, read_history
from loadtests.recording import run_files

HISTORY: Final = "history.jsonl.gz"
CSV_PREFIX: Final = "locust"
STOP_TIMEOUT_S: Final = 10  # users finish the call they are in, so none goes unrecorded
GRACE_S: Final = 60.0  # start-up and shut-down beyond the run time, before Locust is stopped


class LoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class LoadSpec:
    locustfile: Path
    strategy: str
    servers: Sequence[str]  # HOST:PORT of every server; users spread over them
    users: int
    duration: int  # seconds
    seed: int
    processes: int = 1
    call_timeout: float = 10.0  # seconds a user waits for a reply (Locust's --call-timeout)
    rate: float | None = None  # open loop: calls per second of the whole run; None: closed

    @property
    def user_rate(self) -> float | None:
        """Each user's share of the rate: Locust spreads the users over its processes,
        so each process takes its users' share."""
        return None if self.rate is None else self.rate / self.users


def command(spec: LoadSpec, directory: Path) -> list[str]:
    processes = ["--processes", str(spec.processes)] if spec.processes > 1 else []
    paced = [] if spec.user_rate is None else ["--user-rate", repr(spec.user_rate)]
    return [
        sys.executable, "-m", "locust", "-f", str(spec.locustfile), "--headless",
        "-u", str(spec.users), "-r", str(spec.users), "-t", f"{spec.duration}s",
        "--stop-timeout", str(STOP_TIMEOUT_S), "--only-summary",
        "--servers", ",".join(spec.servers), "--strategy", spec.strategy,
        "--scenario-seed", str(spec.seed), "--history", str(directory / HISTORY),
        "--call-timeout", str(spec.call_timeout),
        "--csv", str(directory / CSV_PREFIX), *processes, *paced,
    ]  # fmt: skip


@dataclass(frozen=True)
class Counted:
    requests: int
    per_second: float  # Locust's: requests over the time from the first to the latest

    def elapsed(self) -> float:
        """Seconds since the load began, as far as Locust's statistics tell."""
        return self.requests / self.per_second if self.per_second > 0 else 0.0


class LocustProcess:
    """A running load; poll `running()` and `stats()` until it ends, then `history()`."""

    def __init__(self, spec: LoadSpec, directory: Path) -> None:
        directory = directory.absolute()  # Locust runs in it: relative paths would move
        directory.mkdir(parents=True, exist_ok=True)
        self.spec = spec
        self.directory = directory
        self.log = directory / "locust.log"
        with open(self.log, "wb") as output:
            self._process = subprocess.Popen(
                command(spec, directory),
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=directory,
            )
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        return self._process.pid

    def running(self) -> bool:
        if self._process.poll() is not None:
            return False
        if time.monotonic() - self.started > self.spec.duration + GRACE_S:
            self.stop()
            return False
        return True

    def stop(self) -> None:
        """SIGTERM lets Locust stop its users and write the history; SIGKILL if it hangs."""
        self._process.terminate()
        try:
            self._process.wait(STOP_TIMEOUT_S + 5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def stats(self) -> Counted | None:
        """Requests so far and their rate, from Locust's aggregated CSV row (rewritten
        every second); None before Locust has written it, or when the read caught Locust
        rewriting it (a row cut short: csv.DictReader gives None or a list for the cells
        it lacks or has too many of, and int() of those raises TypeError)."""
        try:
            with open(self.directory / f"{CSV_PREFIX}_stats.csv", newline="") as file:
                totals = [row for row in csv.DictReader(file) if row.get("Name") == "Aggregated"]
            return Counted(int(totals[-1]["Request Count"]), float(totals[-1]["Requests/s"]))
        except (OSError, IndexError, KeyError, ValueError, TypeError, csv.Error):
            return None

    def files(self) -> list[Path]:
        return run_files(str(self.directory / HISTORY))

    def history(self) -> list[Operation]:
        """Every process's operations, in invoke order (one monotonic clock on Linux)."""
        files = self.files()
        if not files:
            tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-15:])
            raise LoadError(
                f"Locust wrote no history (exit code {self._process.returncode}):\n{tail}"
            )
        try:
            operations = [o for path in files for o in read_history(path)]
        except (HistoryError, OSError, EOFError) as error:
            raise LoadError(f"cannot read the history Locust wrote: {error}") from None
        return sorted(operations, key=lambda o: o.invoke)
