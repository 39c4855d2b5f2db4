"""What a fault cost the clients: how long nothing succeeded, and the run split in phases.

Times are seconds into a load run (0 is its first request). An operation succeeds
when the service did its job (`stats.is_success`: outcome "ok", or a business
refusal); the time of a success is its reply's.

- **Unavailability** of a fault window: the longest gap between two successive
  successes (or the run's start and last reply) that overlaps the window. A healthy
  window still has gaps, of about the time between two replies, so this is never 0;
  a window that began after the last reply has none (None).
- **Phases**: *before* the first fault struck, *during* a fault (an operation whose
  call overlaps a window), *after* the last one healed. An operation between two
  windows that overlaps neither is in no phase. A phase's throughput is its
  successes per second of the phase's length (for *during*: the windows' total
  length); its success rate the share of its operations that succeeded. A run
  without a fault struck is all *before*.
"""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from loadtests.compare.model import FaultWindow, LoadRun
from loadtests.compare.stats import is_success
from loadtests.history import Operation
from loadtests.percentiles import percentile

PHASES: Final = ("before", "during", "after")


def struck(load: LoadRun) -> list[FaultWindow]:
    """The run's faults that struck a node, by start."""
    return sorted((w for w in load.faults if w.node is not None), key=lambda w: w.start_s)


def _seconds(o: Operation, origin: float) -> tuple[float, float]:
    return o.invoke - origin, o.complete - origin


def run_end(load: LoadRun) -> float:
    """The last reply, in seconds of the run (0 without operations)."""
    return max((o.complete - load.zero for o in load.history), default=0.0)


def unavailable_s(load: LoadRun, window: FaultWindow) -> float | None:
    """The longest gap without a success that overlaps `window`; None when the window
    began after the run's last reply (the load was over: nothing to measure)."""
    end = run_end(load)
    if window.start_s >= end:
        return None
    replies = sorted(o.complete - load.zero for o in load.history if is_success(o))
    bounds = [0.0, *replies, end]
    return max(
        (
            after - before
            for before, after in itertools.pairwise(bounds)
            if before <= window.end_s and after >= window.start_s
        ),
        default=0.0,
    )


@dataclass(frozen=True)
class Phase:
    operations: int
    succeeded: int
    duration_s: float

    @property
    def throughput_ops_s(self) -> float | None:
        """Successes per second; None when the phase did not happen."""
        return self.succeeded / self.duration_s if self.duration_s > 0 else None

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.operations if self.operations else None

    def __add__(self, other: "Phase") -> "Phase":
        return Phase(
            self.operations + other.operations,
            self.succeeded + other.succeeded,
            self.duration_s + other.duration_s,
        )


NO_PHASE: Final = Phase(0, 0, 0.0)


def _phase(operations: Iterable[Operation], duration_s: float) -> Phase:
    chosen = list(operations)
    return Phase(len(chosen), sum(map(is_success, chosen)), max(duration_s, 0.0))


def _union_s(windows: Sequence[FaultWindow]) -> float:
    """The windows' total length, overlaps counted once (windows sorted by start)."""
    total, reached = 0.0, float("-inf")
    for w in windows:
        start = max(w.start_s, reached)
        if w.end_s > start:
            total += w.end_s - start
        reached = max(reached, w.end_s)
    return total


def phases(load: LoadRun) -> dict[str, Phase]:
    windows = struck(load)
    spans = [(o, *_seconds(o, load.zero)) for o in load.history]
    if not windows:
        return {
            "before": _phase(load.history, run_end(load)),
            "during": NO_PHASE,
            "after": NO_PHASE,
        }
    first, last = windows[0].start_s, max(w.end_s for w in windows)
    return {
        "before": _phase((o for o, _, end in spans if end < first), first),
        "during": _phase(
            (
                o
                for o, start, end in spans
                if any(start <= w.end_s and end >= w.start_s for w in windows)
            ),
            _union_s(windows),
        ),
        "after": _phase((o for o, start, _ in spans if start > last), run_end(load) - last),
    }


def strategy_phases(loads: Iterable[LoadRun]) -> dict[str, Phase]:
    """Each phase over every load run: operations, successes and lengths added up."""
    total = dict.fromkeys(PHASES, NO_PHASE)
    for load in loads:
        for name, phase in phases(load).items():
            total[name] += phase
    return total


@dataclass(frozen=True)
class Unavailability:
    p50: float | None  # None: no fault struck
    max: float | None


def unavailability(loads: Iterable[LoadRun]) -> Unavailability:
    """Nearest-rank p50 and max of every struck fault's unavailability."""
    found = (unavailable_s(load, w) for load in loads for w in struck(load))
    gaps = sorted(gap for gap in found if gap is not None)
    if not gaps:
        return Unavailability(None, None)
    return Unavailability(percentile(gaps, 0.5), gaps[-1])
