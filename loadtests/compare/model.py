"""What a comparison found: per strategy its load runs, replicas and checkers' report.

The runner builds these; results.json, the report and the terminal table read them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from core.strategy import OptionValue
from loadtests.checkers import AnomalyCounts, Report
from loadtests.compare.cpu import CpuUse, saturation
from loadtests.compare.nodes import NodeInfo, label
from loadtests.compare.plan import Plan
from loadtests.compare.readback import ReadBack
from loadtests.compare.stats import Summary, span, summarize
from loadtests.history import Operation, Replicas

if TYPE_CHECKING:
    from loadtests.compare.sweep import Point  # it reads LoadRun: imported for types only

SECRETS: Final = ("password", "secret", "token")
MASK: Final = "***"
ANOMALIES: Final = tuple(AnomalyCounts.__annotations__)  # results.json's anomaly keys, in order


def masked(options: Mapping[str, OptionValue]) -> dict[str, OptionValue]:
    """`options` with the values of secrets (a password, a token) as "***"."""
    return {
        name: MASK if value and any(word in name for word in SECRETS) else value
        for name, value in options.items()
    }


@dataclass(frozen=True)
class FaultWindow:
    """One fault as it happened: from its strike to its healing, in seconds of the run."""

    action: str  # kill, pause, restart, partition, flaky
    target: str  # what was asked: leader, follower, server, broker or a node name
    node: str | None  # the node it struck; None when it struck nothing
    start_s: float  # seconds after the load run's first request
    end_s: float  # when it healed (a killed node serving again, a partition healed)
    note: str


@dataclass(frozen=True)
class LeaderChange:
    at_s: float  # seconds after the load run's first request
    group: str | None
    leader: str | None  # None: no node said it leads


@dataclass(frozen=True)
class LoadRun:
    """One Locust run at one user count (and, open loop, one offered rate)."""

    users: int
    history: tuple[Operation, ...]
    files: tuple[Path, ...]  # the history files it wrote
    faults: tuple[FaultWindow, ...] = ()
    leader_changes: tuple[LeaderChange, ...] = ()
    origin: float | None = None  # time.monotonic() of its first request: where 0 s is
    rate: float | None = None  # calls per second offered (open loop); None: closed loop
    repeat: int = 0  # which of --repeat's runs of this load it was, from 0
    cpu: CpuUse = field(default_factory=CpuUse)

    @property
    def model(self) -> str:
        return "closed" if self.rate is None else "open"

    def saturation(self) -> list[str]:
        """Why the load generator set this run's pace; [] when it did not."""
        return saturation(self.cpu.generator_share, self.rate, self.summary().issued_ops_s)

    @property
    def zero(self) -> float:
        """Where 0 s of the run is: its origin, else (a history read back) its first call."""
        if self.origin is not None:
            return self.origin
        return min((o.invoke for o in self.history), default=0.0)

    def summary(self) -> Summary:
        return summarize(self.history, span(self.history))


@dataclass(frozen=True)
class StrategyRun:
    name: str  # the run's: its strategy's, or the label it was given (`LABEL=STRATEGY`)
    strategy: str  # the strategy it ran
    consistency: str
    servers: tuple[str, ...]  # the cluster's server names
    options: Mapping[str, OptionValue]  # resolved: defaults filled in
    loads: tuple[LoadRun, ...]
    history: tuple[Operation, ...]  # every load run's, in order: the report's indices
    replicas: Replicas
    report: Report
    notes: tuple[str, ...] = ()  # faults skipped, servers restarted, ...
    readback: ReadBack | None = None  # acknowledged writes read back; None: not read
    curve: tuple["Point", ...] = ()  # a sweep's steps (`sweep.curve`); () without one
    nodes: tuple[NodeInfo, ...] = ()  # every node of its cluster, any kind

    def label(self, who: str) -> str:
        """A node (by name or address) as the report names it: `s2 (127.0.0.1:50052)`."""
        return label(self.nodes, who)

    def shown_options(self) -> dict[str, OptionValue]:
        """The options with secrets masked: results and reports get shared."""
        return masked(self.options)

    def anomalies(self) -> Mapping[str, int]:
        """The checkers' counts, by name (results.json's "anomalies")."""
        return cast(Mapping[str, int], self.report.counts())

    @property
    def start(self) -> float:
        """time.monotonic() of its first call, setup included: where the report's times start."""
        return min((o.invoke for o in self.history), default=0.0)

    def summary(self) -> Summary:
        """Over every load run; the duration is the sum of their spans (not the gaps)."""
        return summarize(self.history, sum(span(load.history) for load in self.loads))


@dataclass(frozen=True)
class Comparison:
    plan: Plan
    started: datetime  # wall clock, for people
    runs: tuple[StrategyRun, ...]
    failed: Mapping[str, str]  # strategy -> why it could not be measured
