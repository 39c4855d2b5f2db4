"""The load generator's own ceiling on this machine, as `benchmarks.generator_ceiling`
measured it: how many calls per second one Locust process can issue and record
against a server that does nothing, closed and open loop.

The benchmark keeps its figures in one JSON file (`DEFAULT_PATH` unless told
otherwise), an entry per machine (host name and CPU count) and scenario, each with
the day it was measured:

    {"ceilings": [{"machine": {"hostname": "h", "cpu_count": 2}, "scenario": "mixed",
                   "measured": "2026-12-01",
                   "closed": {"ops_s": 1950.0, "users": 16, "cpu_share": 0.98, ...},
                   "open": {"ops_s": 1700.0, "rate": 1800.0, ...}}]}

A comparison reads the entry of its own machine and scenario, and states how far
below that ceiling each load run ran; another machine's ceiling, or another
scenario's (whose calls cost the generator more or less), says nothing about it.
"""

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

DEFAULT_PATH: Final = Path("results") / "generator-ceiling.json"
MODELS: Final = ("closed", "open")
MEASURE: Final = "python -m benchmarks.generator_ceiling"


def machine() -> dict[str, Any]:
    """What an entry is keyed by: this machine's host name and CPU count."""
    return {"hostname": socket.gethostname(), "cpu_count": os.cpu_count()}


@dataclass(frozen=True)
class Ceiling:
    """One generator process's best calls/s per load model, on this machine."""

    ops_s: Mapping[str, float]  # "closed" / "open" -> calls issued per second
    measured: str  # the day, ISO 8601
    scenario: str
    path: Path

    def of(self, model: str) -> float | None:
        return self.ops_s.get(model)


@dataclass(frozen=True)
class Missing:
    """No ceiling applies: `reason` says why, `hint` how to measure one."""

    path: Path
    scenario: str
    reason: str

    @property
    def hint(self) -> str:
        return (
            f"No load generator ceiling is on record for this machine and scenario"
            f" {self.scenario} ({self.path}: {self.reason}): `{MEASURE} --scenario"
            f" {self.scenario}` measures it, and reports then say how far below it they ran."
        )


def share(issued_ops_s: float, processes: int, ceiling_ops_s: float) -> float:
    """The load each generator process carried, as a share of one process's ceiling."""
    return issued_ops_s / processes / ceiling_ops_s


def _entries(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    entries = document.get("ceilings") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError("it holds no list of ceilings")
    return entries


def _ceiling(entry: Mapping[str, Any], path: Path) -> Ceiling:
    figures = {m: entry[m]["ops_s"] for m in MODELS if isinstance(entry.get(m), dict)}
    if not figures or not all(isinstance(v, int | float) and v > 0 for v in figures.values()):
        raise ValueError("its entry for this machine has an ops_s that is not a positive number")
    ops_s = {m: float(v) for m, v in figures.items()}
    return Ceiling(ops_s, str(entry["measured"]), str(entry["scenario"]), path)


def read(path: Path, scenario: str) -> Ceiling | Missing:
    """This machine's ceiling for `scenario` from `path`, or why there is none."""
    try:
        entries = _entries(path)
    except FileNotFoundError:
        return Missing(path, scenario, "no such file")
    except (OSError, ValueError) as error:
        return Missing(path, scenario, f"unreadable: {error}")
    here = [e for e in entries if e.get("machine") == machine()]
    if not here:
        return Missing(path, scenario, f"measured on other machines only, not {machine()}")
    for entry in here:
        if entry.get("scenario") == scenario:
            try:
                return _ceiling(entry, path)
            except (KeyError, TypeError, ValueError) as error:
                return Missing(path, scenario, f"unreadable: {error}")
    others = ", ".join(sorted({str(e.get("scenario")) for e in here}))
    return Missing(path, scenario, f"measured for scenario {others} only")


def record(path: Path, entry: Mapping[str, Any]) -> None:
    """Put `entry` in the file, in place of this machine's entry for its scenario."""
    try:
        entries = _entries(path)
    except FileNotFoundError:
        entries = []
    kept = [
        e for e in entries
        if (e.get("machine"), e.get("scenario")) != (entry["machine"], entry["scenario"])
    ]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({"ceilings": [*kept, dict(entry)]}, indent=2) + "\n")
    partial.replace(path)
