"""The manifest: everything that fixes a comparison's plan, to read and to replay.

`testbed compare` writes it to manifest.json before the first cluster starts (and
the same object under "manifest" in results.json): the seed, the scenario, the
load (users, rate, sweep, repeats), each run's strategy, options (secrets masked)
and servers, the faults with their planned schedule, the timeouts, the Locust
processes, the versions of what ran and the exact argv. `plan_given` turns a
manifest back into the values `build_plan` takes, so `--replay` rebuilds the plan
from it, never from a command line's wording.

What a replay repeats: the workload (every user's choices and IDs follow from the
seed), each fault's planned time and span, and each fault's draw among the nodes
that fit it. What it cannot: which node leads, or follows, when a fault strikes is
the cluster's doing (an election), so a role target is replayed as the same draw
among whichever nodes hold that role then. A named node, and a server when every
server runs, are the same node again ("nodes" below).
"""

import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from core.strategy import StrategyDescriptor
from loadtests.compare import seeds
from loadtests.compare.faults import Fault, candidate
from loadtests.compare.model import masked
from loadtests.compare.plan import Plan, Sweep
from loadtests.compare.schedule import Timing

FORMAT: Final = 1
FILE: Final = "manifest.json"
VOLATILE: Final = ("time", "argv", "out")  # what a replay of the same plan changes
DISTRIBUTIONS: Final = (
    "replication-testbed", "locust", "grpcio", "pysyncobj", "paho-mqtt", "amqtt",
    "hdrhistogram", "psutil",
)  # fmt: skip
BROKER_PATH: Final = "/usr/sbin:/usr/local/sbin"  # Debian's Mosquitto is not on every PATH

# How each role target's node is chosen, for people reading the manifest.
CHOSEN: Final = {
    "leader": "the node that leads when it strikes (an election decides: not replayable)",
    "follower": "of the nodes that follow when it strikes, in the cluster's order, the one "
    "the draw falls on (who follows is the cluster's doing: not replayable)",
    "server": "of the servers but the first that run when it strikes, the one the draw "
    "falls on (the node given when every server runs)",
    "broker": "the cluster's broker",
}


@dataclass(frozen=True)
class StrategyEntry:
    strategy: str  # the strategy the run starts (its key is the run's name or label)
    options: dict[str, str]  # as given (-o), secrets masked: what a replay passes again
    resolved_options: dict[str, Any]  # with the defaults filled in, secrets masked
    servers: tuple[str, ...]  # the servers it runs: the requested count, capped


@dataclass(frozen=True)
class PlannedFault:
    fault: str  # ACTION-TARGET
    start_s: float  # planned, seconds after the load run's first request
    span_s: float  # how long it lasts before it heals (a restart heals at once)
    draw: float  # in [0, 1): which of the nodes that fit it strikes
    nodes: dict[str, str | None]  # per strategy the node it strikes; None: chosen then
    chosen: str  # how the node is chosen, in words


@dataclass(frozen=True)
class PlannedRun:
    users: int
    rate: float | None  # calls per second offered; None: closed loop
    repeat: int  # from 0
    scenario_seed: int  # Locust's --scenario-seed: every user's choices, the run's IDs
    faults: tuple[PlannedFault, ...]


@dataclass(frozen=True)
class Manifest:
    format: int
    seed: int
    scenario: str
    model: str  # closed or open loop
    users: tuple[int, ...]
    rate: float | None
    sweep: Sweep | None
    repeat: int
    duration_s: int
    servers_requested: int
    strategies: dict[str, StrategyEntry]
    faults: tuple[str, ...]
    fault_at_s: float | None
    fault_for_s: float | None
    # Every strategy's load runs in order (a sweep's every step: it may stop earlier).
    # Planned times assume every fault is struck: a fault skipped on a strategy (its
    # notes say why) leaves the run to the others, laid out again over those.
    schedule: tuple[PlannedRun, ...]
    call_timeout_s: float
    settle_timeout_s: float
    processes: int
    versions: dict[str, str | None]
    argv: tuple[str, ...]
    time: str
    out: str

    def to_dict(self) -> dict[str, Any]:
        """As JSON has it (lists, not tuples): what manifest.json holds."""
        document: dict[str, Any] = json.loads(json.dumps(asdict(self)))
        return document


def manifest(plan: Plan, known: Mapping[str, StrategyDescriptor], argv: Sequence[str]) -> Manifest:
    """The manifest of `plan`; `known` maps each strategy compared to its descriptor."""
    entries = {name: _entry(plan, name, known[plan.strategy(name)]) for name in plan.strategies}
    return Manifest(
        format=FORMAT,
        seed=plan.seed,
        scenario=plan.scenario,
        model=plan.model,
        users=plan.users,
        rate=plan.rate,
        sweep=plan.sweep,
        repeat=plan.repeat,
        duration_s=plan.duration,
        servers_requested=plan.servers,
        strategies=entries,
        faults=tuple(fault.name for fault in plan.faults),
        fault_at_s=plan.fault_at,
        fault_for_s=plan.fault_for,
        schedule=_schedule(plan, {name: e.servers for name, e in entries.items()}),
        call_timeout_s=plan.call_timeout,
        settle_timeout_s=plan.settle_timeout,
        processes=plan.processes,
        versions=versions(),
        argv=tuple(argv),
        time=datetime.now(UTC).isoformat(timespec="seconds"),
        out=str(plan.out),
    )


def _entry(plan: Plan, name: str, descriptor: StrategyDescriptor) -> StrategyEntry:
    given = plan.options.get(name, {})
    count = descriptor.topology.servers(plan.servers)
    return StrategyEntry(
        strategy=descriptor.name,
        options={key: str(value) for key, value in masked(given).items()},
        resolved_options=masked(descriptor.resolve(given)),
        servers=tuple(f"s{n}" for n in range(1, count + 1)),  # as the runner names them
    )


def _schedule(plan: Plan, servers: Mapping[str, tuple[str, ...]]) -> tuple[PlannedRun, ...]:
    timing = Timing(plan.duration, plan.fault_at, given_span=plan.fault_for)
    count = len(plan.faults)
    starts, span = timing.starts(count), timing.span(count)
    runs = [which for step in plan.load_steps() for which in step]
    return tuple(
        PlannedRun(
            users,
            rate,
            repeat,
            seeds.load_seed(plan.seed, index),
            tuple(
                _fault(fault, at, span, draw, servers)
                for fault, at, draw in zip(
                    plan.faults, starts, seeds.fault_draws(plan.seed, index, count), strict=True
                )
            ),
        )
        for index, (users, rate, repeat) in enumerate(runs)
    )


def _fault(
    fault: Fault, at: float, span: float, draw: float, servers: Mapping[str, tuple[str, ...]]
) -> PlannedFault:
    def node(names: tuple[str, ...]) -> str | None:
        if fault.target == "server":
            return names[1:][candidate(draw, len(names) - 1)] if len(names) > 1 else None
        return None if fault.target in CHOSEN else fault.target

    return PlannedFault(
        fault=fault.name,
        start_s=at,
        span_s=0.0 if fault.action == "restart" else span,
        draw=draw,
        nodes={name: node(names) for name, names in servers.items()},
        chosen=CHOSEN.get(fault.target, "the node of that name"),
    )


def versions() -> dict[str, str | None]:
    """Python's, each distribution's that the run uses (None: not installed), Mosquitto's."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in DISTRIBUTIONS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    found["mosquitto"] = _mosquitto()
    return found


def _mosquitto() -> str | None:
    """The installed Mosquitto's version ("mosquitto version 2.0.11" in its -h text)."""
    binary = shutil.which("mosquitto", path=f"{os.environ.get('PATH', '')}:{BROKER_PATH}")
    if binary is None:
        return None
    try:
        shown = subprocess.run(
            [binary, "-h"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"mosquitto version (\S+)", shown)
    return None if match is None else match.group(1)


def write_manifest(document: Mapping[str, Any], out: Path) -> Path:
    path = out / FILE
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
