"""What one comparison runs, and the parsing of its command-line values.

Every parser raises `PlanError` with one sentence that says what was wrong and
what would be right, which `testbed compare` prints as is.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import loadtests

SCENARIOS: Final = ("crud", "order-rush", "read-your-writes", "mixed")
_SPAN = re.compile(r"(\d+)(h|m|s)")
_UNITS: Final = {"h": 3600, "m": 60, "s": 1}


class PlanError(ValueError):
    pass


@dataclass(frozen=True)
class Plan:
    strategies: tuple[str, ...]
    scenario: str
    users: tuple[int, ...]  # one load run per count, in this order
    duration: int  # seconds of load per user count
    servers: int  # requested; a strategy's max_servers caps it
    faults: tuple[str, ...]  # injected during every load run; () for none
    out: Path
    seed: int
    settle_timeout: float  # seconds the replicas get to agree once the load stops
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # per strategy
    processes: int = 1  # Locust processes per load run


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


def parse_strategies(text: str, known: Mapping[str, object]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise PlanError(
            f"unknown strategy {', '.join(map(repr, unknown)) or repr(text)}; "
            f"known strategies: {', '.join(sorted(known))}"
        )
    return names


def parse_scenario(text: str) -> str:
    name = text.strip().replace("_", "-")
    if name not in SCENARIOS:
        raise PlanError(f"unknown scenario {text!r}; the scenarios are: {', '.join(SCENARIOS)}")
    return name


def parse_options(items: list[str], strategies: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """`STRATEGY.KEY=VALUE` items, each for one of the strategies compared."""
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
