"""A latency-throughput curve: the offered rate raised step by step until it breaks.

`--sweep` runs each strategy open-loop at `start`, `start * factor`, ... calls per
second, at most `steps` rates (`plan.Sweep`), and stops after the first step at which

- the p99 latency passed `p99_ms` (the strategy is past its knee: requests queue),
- errors passed `error_share` of the calls (it fails rather than slows), or
- the load generator saturated (`cpu.saturation`: the next step would measure it).

The step that broke a bound stays on the curve: it is where the knee shows. With
the defaults a strategy gets at most 6 steps (50 to 1,600 calls/s), so a sweep of the
three built-in strategies takes at most 18 load runs of --duration each, plus about
5 s per run to start Locust and its setup: under 5 minutes at 10 s a run.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from loadtests.checkers import check_all
from loadtests.compare.model import LoadRun
from loadtests.compare.plan import Sweep
from loadtests.compare.stats import Latency, latency


@dataclass(frozen=True)
class Point:
    """One step of the curve: its load runs (one per --repeat) taken together."""

    offered_ops_s: float
    achieved_ops_s: float  # successes per second, the mean over the repeats
    issued_ops_s: float  # calls sent per second, the mean over the repeats
    latency_ms: Latency | None  # over every repeat's operations
    operations: int
    errors: int
    saturation: tuple[str, ...]  # why the generator set the pace; () when it did not
    anomalies: Mapping[str, int] = field(default_factory=dict)  # POINT_ANOMALIES
    reads_checked: int = 0

    @property
    def error_share(self) -> float:
        return self.errors / self.operations if self.operations else 0.0


# The checkers' counts that one load run's history shows on its own: the others need
# the replicas' final states, read once after the last run (the strategy's totals).
POINT_ANOMALIES: Final = (
    "linearizability",
    "stale_reads",
    "oversold_units",
    "input_disagreements",
    "read_your_writes_violations",
    "monotonic_read_violations",
    "lost_updates",
)


def curve(loads: Sequence[LoadRun]) -> list[Point]:
    """One point per offered rate, in the order swept, each with its anomalies."""
    points = []
    for rate in dict.fromkeys(load.rate for load in loads):
        runs = [load for load in loads if load.rate == rate]
        report = check_all([o for run in runs for o in run.history])
        counts = report.counts()
        found = {name: int(counts[name]) for name in POINT_ANOMALIES}
        points.append(replace(point(runs), anomalies=found, reads_checked=report.staleness.reads))
    return points


def point(loads: Sequence[LoadRun]) -> Point:
    """The curve's point of one offered rate, from its repeats."""
    summaries = [load.summary() for load in loads]
    history = [o for load in loads for o in load.history]
    return Point(
        offered_ops_s=loads[0].rate or 0.0,
        achieved_ops_s=sum(s.throughput_ops_s for s in summaries) / len(summaries),
        issued_ops_s=sum(s.issued_ops_s for s in summaries) / len(summaries),
        latency_ms=latency(history),
        operations=len(history),
        errors=sum(s.errors for s in summaries),
        saturation=tuple(dict.fromkeys(r for load in loads for r in load.saturation())),
    )


def stop_reason(step: Point, sweep: Sweep) -> str | None:
    """Why the sweep stops after this step; None: go on to the next rate."""
    at = f"at {step.offered_ops_s:,.0f} calls/s offered"
    # A saturated generator first: it makes the latency and errors its own figures.
    if step.saturation:
        return f"{at} the load generator saturated: {'; '.join(step.saturation)}"
    p99 = None if step.latency_ms is None else step.latency_ms.p99
    if p99 is not None and p99 > sweep.p99_ms:
        return f"{at} the p99 latency, {p99:,.0f} ms, passed the bound of {sweep.p99_ms:g} ms"
    if step.error_share > sweep.error_share:
        return (
            f"{at} {step.error_share:.1%} of the calls failed, more than the bound of"
            f" {sweep.error_share:.0%}"
        )
    return None
