"""What one comparison runs, and the parsing of its command-line values.

Every parser raises `PlanError` with one sentence that says what was wrong and
what would be right, which `testbed compare` prints as is.
"""

import importlib.util
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import loadtests
from loadtests.compare import ceiling
from loadtests.compare.faults import Fault, FaultError, parse_faults

SCENARIOS: Final = ("crud", "order-rush", "read-your-writes", "session", "mixed")
_SPAN = re.compile(r"(\d+)(h|m|s)")
_UNITS: Final = {"h": 3600, "m": 60, "s": 1}


SWEEP_START: Final = 50.0  # calls per second of a sweep's first step
SWEEP_FACTOR: Final = 2.0  # each step's rate is the last one's times this
SWEEP_STEPS: Final = 6
P99_BOUND_MS: Final = 250.0
ERROR_BOUND: Final = 0.05

# What a flag left out (None) means.
DEFAULTS: Final = {
    "scenario": "mixed",
    "users": "4,16",
    "duration": "10s",
    "servers": "3",
    "faults": "none",
    "fault_at": None,
    "fault_for": None,
    "call_timeout": None,
    "seed": "1",
    "settle_timeout": "10",
    "processes": "1",
    "rate": None,
    "repeat": "1",
    "sweep_from": str(SWEEP_START),
    "sweep_factor": str(SWEEP_FACTOR),
    "sweep_steps": str(SWEEP_STEPS),
    "p99_bound": str(P99_BOUND_MS),
    "error_bound": f"{ERROR_BOUND:.0%}",
}
SWEEP_USERS: Final = "16"  # a sweep's users (one count): enough calls in flight for its rates


CALL_TIMEOUT_S: Final = 10.0
NOT_LOOKED_UP: Final = ceiling.Missing(ceiling.DEFAULT_PATH, "mixed", "not looked up")
FAULT_CALL_TIMEOUT_S: Final = 1.0


class PlanError(ValueError):
    pass


@dataclass(frozen=True)
class Sweep:
    """A latency-throughput curve's steps and stopping bounds (`loadtests.compare.sweep`)."""

    start: float = SWEEP_START
    factor: float = SWEEP_FACTOR
    steps: int = SWEEP_STEPS
    p99_ms: float = P99_BOUND_MS
    error_share: float = ERROR_BOUND

    def rate(self, step: int) -> float:
        return self.start * self.factor**step


@dataclass(frozen=True)
class Plan:
    strategies: tuple[str, ...]  # the runs' names, in order: a strategy's, or a label
    scenario: str
    users: tuple[int, ...]  # one load run per count, in this order
    duration: int  # seconds of load per user count
    servers: int  # requested; a strategy's max_servers caps it
    faults: tuple[Fault, ...]  # struck during every load run; () for none
    out: Path
    seed: int
    settle_timeout: float  # seconds the replicas get to agree once the load stops
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # per strategy
    processes: int = 1  # Locust processes per load run
    fault_at: float | None = None  # seconds into each load run; None: spread, one in the middle
    fault_for: float | None = None  # seconds each fault lasts; None: 3, or less to fit
    call_timeout: float = 10.0  # seconds a load user waits for a reply before moving on
    rate: float | None = None  # open loop: calls per second of each load run; None: closed
    sweep: Sweep | None = None  # open loop, the rate raised step by step; None: no sweep
    repeat: int = 1  # load runs of each user count (or rate): the figures' spread
    # One generator process's ceiling on this machine (`ceiling`), or why none is known.
    generator_ceiling: ceiling.Ceiling | ceiling.Missing = NOT_LOOKED_UP
    # The strategy of each labelled run (`LABEL=STRATEGY`); any other run is its strategy.
    labelled: Mapping[str, str] = field(default_factory=dict)

    def strategy(self, run: str) -> str:
        """The strategy that the run named `run` starts."""
        return self.labelled.get(run, run)

    @property
    def model(self) -> str:
        """closed: each user sends when answered; open: calls on a fixed schedule."""
        return "closed" if self.rate is None and self.sweep is None else "open"

    def load_steps(self) -> list[list[tuple[int, float | None, int]]]:
        """Each strategy's load runs, as (users, offered rate or None, repeat), in steps:
        a user count's repeats, or a sweep's rate's (a sweep may stop after any step)."""
        if self.sweep is None:
            return [[(users, self.rate, n) for n in range(self.repeat)] for users in self.users]
        rates = (self.sweep.rate(step) for step in range(self.sweep.steps))
        return [[(self.users[0], rate, n) for n in range(self.repeat)] for rate in rates]


def load_model(plan: Plan) -> str:
    """The load in words, for the terminal and the report."""
    if plan.sweep is not None:
        sweep = plan.sweep
        return (
            f"open loop, swept from {sweep.start:g} calls/s times {sweep.factor:g} per step"
            f" (at most {sweep.steps} steps; bounds p99 {sweep.p99_ms:g} ms, errors"
            f" {sweep.error_share:.0%}); the tables' figures take every step together,"
            " each strategy's capacity is in its verdict and its curve in the chart"
        )
    if plan.rate is not None:
        return f"open loop at {plan.rate:g} calls/s, spread over the users, on a fixed schedule"
    return "closed loop (each user sends its next call when the last one is answered)"


def parse_duration(text: str) -> int:
    """Whole seconds from "30", "30s", "2m" or "1m30s" (Locust's -t takes whole seconds)."""
    compact = text.strip().lower()
    if compact.isdigit():
        seconds = int(compact)
    elif compact and _SPAN.sub("", compact) == "":
        seconds = sum(int(n) * _UNITS[unit] for n, unit in _SPAN.findall(compact))
    else:
        raise PlanError(f"duration {text!r} is not like 30s, 2m or 1m30s")
    if seconds < 1:
        raise PlanError(f"duration {text!r} must be at least 1 second")
    return seconds


def parse_users(text: str) -> tuple[int, ...]:
    """A comma-separated list of positive user counts: "1,16,64"."""
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise PlanError(f"users {text!r} must be whole numbers separated by commas") from None
    if any(n < 1 for n in counts):
        raise PlanError(f"users {text!r}: every count must be at least 1")
    return counts


def parse_count(text: str, what: str, minimum: int = 1) -> int:
    try:
        value = int(text)
    except ValueError:
        raise PlanError(f"{what} {text!r} is not a whole number") from None
    if value < minimum:
        raise PlanError(f"{what} must be at least {minimum}, not {value}")
    return value


def parse_seconds(text: str, what: str) -> float:
    try:
        value = float(text.strip().lower().removesuffix("s"))
    except ValueError:
        raise PlanError(f"{what} {text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and value >= 0):
        raise PlanError(f"{what} must be a finite number of seconds, 0 or more, not {text!r}")
    return value


def parse_rate(text: str, what: str) -> float:
    try:
        value = float(text.strip().lower().removesuffix("/s"))
    except ValueError:
        raise PlanError(f"{what} {text!r} is not a number of calls per second") from None
    if not (math.isfinite(value) and value > 0):
        raise PlanError(f"{what} must be more than 0 calls per second, not {text!r}")
    return value


def parse_share(text: str, what: str) -> float:
    """A share as "5%" or "0.05", from 0 to 1."""
    compact = text.strip()
    try:
        value = float(compact.removesuffix("%")) / (100 if compact.endswith("%") else 1)
    except ValueError:
        raise PlanError(f"{what} {text!r} is not a share like 5% or 0.05") from None
    if not 0 <= value <= 1:
        raise PlanError(f"{what} must be between 0% and 100%, not {text!r}")
    return value


def parse_sweep(value: Callable[[str], str]) -> Sweep:
    factor = parse_rate(value("sweep_factor"), "sweep-factor")
    if factor <= 1:
        raise PlanError(f"sweep-factor must be more than 1, not {value('sweep_factor')!r}")
    return Sweep(
        start=parse_rate(value("sweep_from"), "sweep-from"),
        factor=factor,
        steps=parse_count(value("sweep_steps"), "sweep-steps"),
        p99_ms=parse_rate(value("p99_bound"), "p99-bound"),
        error_share=parse_share(value("error_bound"), "error-bound"),
    )


def _load_model(
    given: Mapping[str, Any], value: Callable[[str], str]
) -> tuple[tuple[int, ...], float | None, Sweep | None]:
    """The user counts, the open loop's rate and the sweep, checked against each other."""
    sweeping = bool(given.get("sweep"))
    rate = None if given.get("rate") is None else parse_rate(str(given["rate"]), "rate")
    if sweeping and rate is not None:
        raise PlanError("--rate and --sweep do not go together: a sweep chooses its rates")
    if not sweeping:
        return parse_users(value("users")), rate, None
    users = parse_users(str(given.get("users") or SWEEP_USERS))
    if len(users) > 1:
        raise PlanError(f"a sweep runs at one user count, not {given.get('users')!r}")
    return users, None, parse_sweep(value)


_LABEL = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def parse_strategies(text: str, known: Mapping[str, object]) -> dict[str, str]:
    """The runs of `--strategies`, each name -> the strategy it runs, in their order.

    An item is a strategy's name, or `LABEL=STRATEGY`: a run of its own under that
    label, whose `-o LABEL.KEY=VALUE` options are its alone, so one comparison can hold
    one strategy under several settings side by side (`cached=pysyncobj-raft-partitioned`).
    """
    runs: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        label, equals, strategy = (part.strip() for part in item.partition("="))
        if not equals:
            label = strategy = item
        elif not _LABEL.fullmatch(label):
            raise PlanError(
                f"run label {label!r} in {item!r} must be 1 to 40 lowercase letters, digits "
                "and dashes, starting with a letter or digit"
            )
        elif label in known and label != strategy:
            raise PlanError(
                f"run label {label!r} in {item!r} is a strategy's name: label the run "
                "with a name of its own"
            )
        if strategy not in known:
            raise PlanError(
                f"unknown strategy {strategy!r}; known strategies: {', '.join(sorted(known))}"
            )
        if runs.get(label, strategy) != strategy:
            raise PlanError(f"run {label!r} is named twice, for {runs[label]} and {strategy}")
        runs[label] = strategy
    if not runs:
        raise PlanError(f"no strategy in {text!r}; known strategies: {', '.join(sorted(known))}")
    return runs


def parse_scenario(text: str) -> str:
    name = text.strip().replace("_", "-")
    if name not in SCENARIOS:
        raise PlanError(f"unknown scenario {text!r}; the scenarios are: {', '.join(SCENARIOS)}")
    return name


def parse_options(items: list[str], strategies: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """`RUN.KEY=VALUE` items, each for one of the runs compared (a strategy or a label)."""
    options: dict[str, dict[str, str]] = {}
    for item in items:
        target, equals, value = item.partition("=")
        strategy, dot, key = target.partition(".")
        if not equals or not dot or not key:
            raise PlanError(
                f"option {item!r} must be STRATEGY.KEY=VALUE, e.g. pysyncobj-raft.read=local"
            )
        if strategy not in strategies:
            raise PlanError(f"option {item!r} names {strategy!r}, which is not being compared")
        options.setdefault(strategy, {})[key] = value
    return options


def locustfile(scenario: str) -> Path:
    """The scenario's locustfile, beside this package (installed or not)."""
    return Path(next(iter(loadtests.__path__))) / f"{scenario.replace('-', '_')}.py"


def build_plan(
    given: Mapping[str, Any], known: Mapping[str, Any], builtins: Mapping[str, Any]
) -> Plan:
    """The plan for `given` values as a person typed them (None: the default).

    Keys: those of DEFAULTS, and `strategies` (None: every built-in one, the names of
    `builtins`), `option` (a list of STRATEGY.KEY=VALUE) and `out` (a directory).
    `known` maps every installed strategy's name to its descriptor.
    """

    def value(name: str) -> str:
        text = given.get(name)
        return str(DEFAULTS[name] if text is None else text)

    names = given.get("strategies")
    runs = parse_strategies(",".join(builtins) if names is None else str(names), known)
    strategies = tuple(runs)
    options = parse_options(list(given.get("option") or []), strategies)
    for name, values in options.items():
        try:
            known[runs[name]].resolve(values)
        except ValueError as error:
            raise PlanError(str(error)) from None
    try:
        faults = parse_faults(value("faults"))
    except FaultError as error:
        raise PlanError(str(error)) from None
    at = given.get("fault_at")
    users, rate, sweep = _load_model(given, value)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    plan = Plan(
        strategies=strategies,
        scenario=parse_scenario(value("scenario")),
        users=users,
        duration=parse_duration(value("duration")),
        servers=parse_count(value("servers"), "servers"),
        faults=faults,
        out=Path(given.get("out") or Path("results") / f"compare-{stamp}").absolute(),
        seed=parse_count(value("seed"), "seed", minimum=0),
        settle_timeout=parse_seconds(value("settle_timeout"), "settle timeout"),
        options=options,
        labelled={name: strategy for name, strategy in runs.items() if name != strategy},
        processes=parse_count(value("processes"), "processes"),
        fault_at=None if at is None else parse_seconds(str(at), "fault-at"),
        fault_for=None
        if given.get("fault_for") is None
        else parse_seconds(str(given["fault_for"]), "fault-for"),
        call_timeout=_call_timeout(given.get("call_timeout"), faults),
        rate=rate,
        sweep=sweep,
        repeat=parse_count(value("repeat"), "repeat"),
        generator_ceiling=ceiling.read(
            Path(given.get("generator_ceiling") or ceiling.DEFAULT_PATH),
            parse_scenario(value("scenario")),
        ),
    )
    if not locustfile(plan.scenario).exists():
        raise PlanError(
            f"the {plan.scenario} scenario is not installed: no {locustfile(plan.scenario)}"
        )
    if importlib.util.find_spec("locust") is None:
        raise PlanError("Locust is not installed: pip install 'locust>=2.40,<3'")
    return plan


def _call_timeout(text: object, faults: tuple[Fault, ...]) -> float:
    """The users' call timeout: as given, else 10 s, or 1 s when faults are struck.

    A client of a paused or cut-off node gets no answer at all; one that waits 10 s
    for it is stuck for the whole fault, and soon every user is, which would time the
    clients' patience rather than the cluster's recovery. 1 s is what a client that
    gives up and tries the next server would wait.
    """
    if text is None:
        return FAULT_CALL_TIMEOUT_S if faults else CALL_TIMEOUT_S
    seconds = parse_seconds(str(text), "call-timeout")
    if seconds <= 0:
        raise PlanError(f"call-timeout must be more than 0 seconds, not {text!r}")
    return seconds
