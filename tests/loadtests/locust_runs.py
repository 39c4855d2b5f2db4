"""Run a scenario's locustfile headless in its own process, as `testbed compare` does."""

import csv
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import loadtests
from loadtests.history import Operation, read_history
from loadtests.recording import run_files

LOADTESTS = Path(next(iter(loadtests.__path__)))
TIMEOUT_S = 60.0


@dataclass(frozen=True)
class LocustRun:
    history_path: Path
    csv_prefix: Path
    started: float  # time.monotonic() before Locust started, and after it ended
    ended: float
    output: str

    def files(self) -> list[Path]:
        return run_files(str(self.history_path))

    def history(self) -> list[Operation]:
        return [o for path in self.files() for o in read_history(path)]

    def locust_counts(self) -> tuple[Counter[str], Counter[str]]:
        """Requests and failures per name, as Locust's final statistics counted them
        (its --json-file: the --csv files are snapshots taken every second)."""
        entries = json.loads(self.csv_prefix.with_suffix(".json").read_text())
        requests = Counter({e["name"]: e["num_requests"] for e in entries})
        failures = Counter({e["name"]: e["num_failures"] for e in entries})
        return requests, failures

    def csv_requests(self) -> int:
        """The request count of Locust's last --csv snapshot."""
        with open(f"{self.csv_prefix}_stats.csv", newline="") as file:
            rows = [row for row in csv.DictReader(file) if row["Name"] == "Aggregated"]
        return int(rows[-1]["Request Count"])


def run_scenario(
    scenario: str,
    servers: Sequence[str],
    directory: Path,
    *,
    users: int = 4,
    seconds: int = 3,
    seed: int = 1,
    extra: Sequence[str] = (),
    during: Callable[[], object] = lambda: None,
    exit_code: int = 0,
) -> LocustRun:
    """Run `scenario` to its end; `during` is called while it runs."""
    directory.mkdir(parents=True, exist_ok=True)
    history, csv_prefix = directory / "history.jsonl.gz", directory / "locust"
    command = [
        sys.executable, "-m", "locust", "-f", str(LOADTESTS / f"{scenario.replace('-', '_')}.py"),
        "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
        "--servers", ",".join(servers), "--history", str(history), "--strategy", "test-label",
        "--scenario-seed", str(seed), "--only-summary", "--stop-timeout", "5",
        "--csv", str(csv_prefix), "--json-file", str(csv_prefix), *extra,
    ]  # fmt: skip
    log = directory / "locust.log"
    started = time.monotonic()
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=directory, stdout=output, stderr=output)
        during()
        returncode = process.wait(TIMEOUT_S)
    text = log.read_text(errors="replace")
    assert returncode == exit_code, f"locust exited with {returncode}:\n{text[-3000:]}"
    return LocustRun(history, csv_prefix, started, time.monotonic(), text)
