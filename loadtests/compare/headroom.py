"""How far below the load generator's own ceiling each load run ran.

The ceiling (`ceiling`, measured by `benchmarks.generator_ceiling`) is what one
Locust process issued against a server that does nothing, closed or open loop. A
load run is compared with the ceiling of its own load model: the calls it issued
per second, per generator process (`--processes`), as a share of one process's
ceiling. Near 100%, the run measured the generator however calm its CPU looked; far
below, the strategy set the pace.
"""

from collections.abc import Sequence
from typing import Final

from loadtests.compare.ceiling import Ceiling, share
from loadtests.compare.model import LoadRun, StrategyRun
from loadtests.compare.plan import Plan
from loadtests.compare.verdict import run_name

NEAR: Final = 0.8  # a run this close to the ceiling measured the generator as much


def ceiling_ops_s(load: LoadRun, plan: Plan) -> float | None:
    """One generator process's ceiling for this run's load model; None when unknown."""
    known = plan.generator_ceiling
    return known.of(load.model) if isinstance(known, Ceiling) else None


def share_of_ceiling(load: LoadRun, plan: Plan) -> float | None:
    top = ceiling_ops_s(load, plan)
    return None if top is None else share(load.summary().issued_ops_s, plan.processes, top)


def headroom_note(runs: Sequence[StrategyRun], plan: Plan) -> str | None:
    """One sentence: the busiest run's share of the ceiling, or how to measure one;
    None when nothing ran."""
    known = plan.generator_ceiling
    if not isinstance(known, Ceiling):
        return known.hint
    shares = [(share_of_ceiling(load, plan), run, load) for run in runs for load in run.loads]
    measured = [(s, run, load) for s, run, load in shares if s is not None]
    if not shares:
        return None
    if not measured:
        models = " or ".join(sorted({load.model for _, _, load in shares}))
        return (
            f"The load generator ceiling on record ({known.path}) has no {models} loop"
            " figure: run the benchmark again to measure it."
        )
    top, run, load = max(measured, key=lambda found: found[0])
    each = " per Locust process" if plan.processes > 1 else ""
    near = (
        f": that close, it measured the generator as much as the strategy (--processes"
        f" {plan.processes + 1} spreads the load)" if top >= NEAR else ""
    )  # fmt: skip
    return (
        f"The busiest load run ({run_name(run, load)}) ran{each} at {top:.0%} of this"
        f" machine's measured load generator ceiling ({known.ops_s[load.model]:,.0f} calls/s"
        f" per Locust process, {load.model} loop, measured {known.measured}){near}."
    )
