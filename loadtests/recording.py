"""Where each Locust process of a run writes its history, and the writing itself.

The local runner, or the master, writes `--history PATH` itself; worker N (Locust's
worker index, unique within a run) writes `PATH.worker-N`. A run's history is PATH
and every `PATH.worker-*` file, concatenated in any order: the monotonic clock is
shared by the processes of one machine.

A file is written whole under a hidden temporary name, then renamed, so a reader
never sees half of one and `PATH.*` never matches a file still being written.
"""

import os
from collections.abc import Iterable
from pathlib import Path

from loadtests.history import Operation, write_history


def history_file(path: str, worker_index: int | None) -> Path:
    """The file one process writes: `path` itself, or `path.worker-N` for worker N."""
    return Path(path if worker_index is None else f"{path}.worker-{worker_index}")


def run_files(path: str) -> list[Path]:
    """Every file a run with `--history path` wrote, the local or master one first."""
    base = Path(path)
    workers = sorted(base.parent.glob(f"{base.name}.worker-*"))
    return [base, *workers] if base.exists() else workers


def save(path: Path, operations: Iterable[Operation]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    write_history(partial, operations)
    os.replace(partial, path)
