"""All checkers over one run: the report that `testbed compare` shows and counts."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypedDict

from loadtests.checkers.convergence import ConvergenceResult, check_convergence
from loadtests.checkers.inputs import InputsResult, check_inputs
from loadtests.checkers.linearizability import LinearizabilityResult, check_linearizability
from loadtests.checkers.sessions import SessionsResult, check_sessions
from loadtests.checkers.staleness import StalenessResult, check_staleness
from loadtests.checkers.stock import StockResult, check_stock
from loadtests.checkers.updates import LostUpdatesResult, check_lost_updates
from loadtests.history import Operation, Replicas


class AnomalyCounts(TypedDict):
    """The anomaly counts of results.json, one number per checker."""

    linearizability: int  # non-linearizable client records
    stale_reads: int
    oversold_units: int
    lost_stock_units: int  # stock units acknowledged writes moved that a replica does not show
    divergent_replicas: int
    input_disagreements: int  # requests the service and the checkers' reading judge apart
    read_your_writes_violations: int  # a session's reads behind its own write on that server
    monotonic_read_violations: int  # a session's reads behind what it had read on that server
    lost_updates: int  # read-modify-writes that overwrote an update their read missed


# What each count counts: a chart's axis holds counts of one unit only.
UNITS: Final[Mapping[str, str]] = {
    "linearizability": "client records",
    "stale_reads": "reads",
    "oversold_units": "stock units",
    "lost_stock_units": "stock units",
    "divergent_replicas": "replicas",
    "input_disagreements": "requests",
    "read_your_writes_violations": "reads",
    "monotonic_read_violations": "reads",
    "lost_updates": "writes",
}


@dataclass(frozen=True, slots=True)
class Report:
    linearizability: LinearizabilityResult
    stock: StockResult
    staleness: StalenessResult
    convergence: ConvergenceResult | None  # None when no replica states were given
    inputs: InputsResult
    sessions: SessionsResult
    updates: LostUpdatesResult

    def counts(self) -> AnomalyCounts:
        return AnomalyCounts(
            linearizability=self.linearizability.non_linearizable,
            stale_reads=self.staleness.stale,
            oversold_units=self.stock.oversold_units,
            lost_stock_units=self.stock.lost_units,
            divergent_replicas=0 if self.convergence is None else self.convergence.divergent,
            input_disagreements=self.inputs.disagreements,
            read_your_writes_violations=self.sessions.read_your_writes,
            monotonic_read_violations=self.sessions.monotonic_reads,
            lost_updates=self.updates.lost,
        )


def check_all(
    history: Sequence[Operation],
    replicas: Replicas | None = None,
    *,
    initial_stock: Mapping[str, int] | None = None,
    settle_timeout: float = 10.0,
) -> Report:
    """Run every checker. `history` in any order (examples refer to its positions);
    `initial_stock` for products created before the history began; `settle_timeout`
    is how long after the load stopped the replicas had to agree."""
    return Report(
        linearizability=check_linearizability(history),
        stock=check_stock(history, replicas, initial_stock),
        staleness=check_staleness(history, initial_stock),
        convergence=None if replicas is None else check_convergence(replicas, settle_timeout),
        inputs=check_inputs(history),
        sessions=check_sessions(history),
        updates=check_lost_updates(history),
    )
