"""What a person choosing a design can act on: per strategy, what this run showed it
keeps and breaks, and what it costs against the best strategy of the same run.

Figures (throughput, p50, p99) are taken per repeat (`--repeat N`: each repeat's load
runs together), so each carries its spread, min to max. Two strategies whose spreads
overlap are tied on that figure: the difference is inside what repeating the same
load gave. One run each has no spread, so no tie can be called: the verdict says so.

A sweep's throughput is its capacity: the best throughput achieved at a step that
kept every bound (`sweep.stop_reason`), or the first step's when none did; its
latencies are those of its first step, the one rate every strategy was offered.

Costs are ratios to the best value of each figure among the strategies: throughput
as a share of the highest, latencies as multiples of the lowest.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from loadtests.compare.availability import unavailability
from loadtests.compare.cpu import suggested_processes
from loadtests.compare.model import LoadRun, StrategyRun
from loadtests.compare.numbers import ms, per_second
from loadtests.compare.plan import Sweep
from loadtests.compare.stats import span, summarize
from loadtests.compare.sweep import point, stop_reason

FIGURES: Final = ("throughput_ops_s", "p50_ms", "p99_ms")
HIGHER_IS_BETTER: Final = frozenset({"throughput_ops_s"})
BROKEN: Final = {
    "linearizability": "client records no single order of operations explains",
    "stale_reads": "stale reads",
    "oversold_units": "units oversold",
    "lost_stock_units": "stock units lost by a replica",
    "divergent_replicas": "replicas left diverged",
    "input_disagreements": "requests judged apart from SPEC.md",
    "read_your_writes_violations": "reads behind the session's own write on its server",
    "monotonic_read_violations": "reads behind what the session had read on its server",
    "lost_updates": "acknowledged updates overwritten by a read-modify-write that missed them",
}


@dataclass(frozen=True)
class Spread:
    """One figure over the repeats."""

    values: tuple[float, ...]

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def mean(self) -> float:
        return sum(self.values) / len(self.values)

    def overlaps(self, other: "Spread") -> bool:
        return self.low <= other.high and other.low <= self.high


def _repeats(run: StrategyRun) -> list[list[LoadRun]]:
    count = max((load.repeat for load in run.loads), default=0) + 1
    return [[load for load in run.loads if load.repeat == r] for r in range(count)]


def _closed_figures(loads: Sequence[LoadRun]) -> tuple[float, float, float]:
    history = [o for load in loads for o in load.history]
    summary = summarize(history, sum(span(load.history) for load in loads))
    latency = summary.latency_ms
    return (
        summary.throughput_ops_s,
        0.0 if latency is None else latency.p50,
        0.0 if latency is None else latency.p99,
    )


def _swept_figures(loads: Sequence[LoadRun], sweep: Sweep) -> tuple[float, float, float]:
    steps = [point([load]) for load in loads]  # one repeat: one load per rate
    kept = [s.achieved_ops_s for s in steps if stop_reason(s, sweep) is None]
    first = steps[0].latency_ms
    capacity = max(kept, default=steps[0].achieved_ops_s)
    return capacity, 0.0 if first is None else first.p50, 0.0 if first is None else first.p99


def figures(run: StrategyRun, sweep: Sweep | None) -> dict[str, Spread]:
    """Throughput, p50 and p99 of each repeat, as spreads (empty: nothing was run)."""
    per_repeat = [
        _closed_figures(loads) if sweep is None else _swept_figures(loads, sweep)
        for loads in _repeats(run)
        if loads
    ]
    if not per_repeat:
        return {}
    return {name: Spread(tuple(f[i] for f in per_repeat)) for i, name in enumerate(FIGURES)}


def best(spreads: Sequence[Spread], figure: str) -> Spread:
    if figure in HIGHER_IS_BETTER:
        return max(spreads, key=lambda s: s.mean)
    return min(spreads, key=lambda s: s.mean)


@dataclass(frozen=True)
class Verdict:
    strategy: str
    held: tuple[str, ...]  # what the run found no breach of
    broke: tuple[str, ...]  # what it found broken, with counts
    cost: tuple[str, ...]  # each figure against the best strategy's
    faults: str | None  # what the faults cost, when any struck


def _broke(run: StrategyRun) -> tuple[list[str], list[str]]:
    counts = run.anomalies()
    staleness = run.report.staleness
    broke = []
    for name, what in BROKEN.items():
        if counts.get(name):
            share = f" ({staleness.share:.1%} of {staleness.reads:,} reads)"
            broke.append(f"{counts[name]:,} {what}" + (share if name == "stale_reads" else ""))
    held = [] if broke else [f"no anomaly found in {len(run.history):,} operations"]
    convergence = run.report.convergence
    if convergence is not None and convergence.converged and convergence.replicas > 1:
        held.append(f"all {convergence.replicas} replicas converged")
    elif convergence is not None and not convergence.converged:
        broke.append("the replicas did not converge")
    return held, broke


def _shown(figure: str, value: float) -> str:
    return per_second(value) + " ops/s" if figure in HIGHER_IS_BETTER else ms(value) + " ms"


def _cost(
    name: str, mine: Mapping[str, Spread], everyone: Mapping[str, Mapping[str, Spread]]
) -> list[str]:
    words = {"throughput_ops_s": "throughput", "p50_ms": "p50", "p99_ms": "p99"}
    repeated = len(next(iter(mine.values())).values) > 1
    costs = []
    for figure in FIGURES:
        spreads = {other: f[figure] for other, f in everyone.items() if figure in f}
        top = best(list(spreads.values()), figure)
        leader = next(other for other, s in spreads.items() if s is top)
        own = mine[figure]
        shown = _shown(figure, own.mean) + (
            f" ({_shown(figure, own.low)} to {_shown(figure, own.high)})" if repeated else ""
        )
        if leader == name:
            costs.append(f"{words[figure]} {shown}: the best")
        elif repeated and own.overlaps(top):
            costs.append(f"{words[figure]} {shown}: tied with {leader} (within the spread)")
        else:
            ratio = own.mean / top.mean if top.mean else float("inf")
            costs.append(f"{words[figure]} {shown}: {ratio:.2f}x {leader}'s")
    return costs


def _faults(run: StrategyRun) -> str | None:
    gaps = unavailability(run.loads)
    if gaps.max is None:
        return None
    lost = run.readback.lost_acknowledged_writes if run.readback is not None else None
    text = f"faults left clients without a success for up to {gaps.max:.2f} s"
    return text + ("" if lost is None else f"; {lost:,} acknowledged writes lost")


def verdicts(runs: Sequence[StrategyRun], sweep: Sweep | None) -> list[Verdict]:
    everyone = {run.name: figures(run, sweep) for run in runs}
    everyone = {name: f for name, f in everyone.items() if f}
    result = []
    for run in runs:
        held, broke = _broke(run)
        cost = _cost(run.name, everyone[run.name], everyone) if run.name in everyone else []
        result.append(Verdict(run.name, tuple(held), tuple(broke), tuple(cost), _faults(run)))
    return result


def spread_note(runs: Sequence[StrategyRun]) -> str:
    """Whether ties could be called: one run each has no spread."""
    repeats = max((load.repeat for run in runs for load in run.loads), default=0) + 1
    if repeats > 1:
        return (
            f"Each figure is the mean of {repeats} runs (min to max in brackets); a strategy"
            " whose spread overlaps the best one's is tied with it."
        )
    return (
        "One run each: these figures carry no spread, so small differences may be noise"
        " (--repeat 3 measures it and calls ties)."
    )


def run_name(run: StrategyRun, load: LoadRun) -> str:
    rate = "" if load.rate is None else f" at {load.rate:,.0f} calls/s"
    return f"{run.name} with {load.users} users{rate}"


def generator_warning(runs: Sequence[StrategyRun], processes: int) -> str | None:
    """In plain words, when the load generator rather than a strategy set the pace of
    some run: which runs, why, and how many Locust processes to try; None otherwise."""
    pegged = [(run, load, load.saturation()) for run in runs for load in run.loads]
    pegged = [(run, load, why) for run, load, why in pegged if why]
    if not pegged:
        return None
    total = sum(len(run.loads) for run in runs)
    shown = "; ".join(f"{run_name(run, load)}: {', '.join(why)}" for run, load, why in pegged[:4])
    more = f"; and {len(pegged) - 4} more" if len(pegged) > 4 else ""
    busiest = max(load.cpu.generator_share for _, load, _ in pegged)
    return (
        f"The load generator, not the strategy, set the pace in {len(pegged)} of {total}"
        f" load runs ({shown}{more}). Their throughput and latency measure Locust, not the"
        f" strategy: rerun with --processes {suggested_processes(processes, busiest)}"
        " before ranking the strategies on them (and, where fewer calls were sent than"
        " offered, more --users: each user has one call in flight at a time)."
    )
