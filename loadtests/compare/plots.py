"""The report's plots, as PNG files: latency CDFs, throughput against users, anomalies,
per strategy a timeline of its load runs (successes and errors, faults, leaders),
and after a sweep the latency-throughput curves with each point's anomalies.

Figures are built with matplotlib's object API and rendered by its Agg backend
(no pyplot: no global figure state, no display needed).
"""

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from loadtests.checkers.report import UNITS
from loadtests.compare.history_plot import history_figures
from loadtests.compare.model import ANOMALIES, LoadRun, StrategyRun
from loadtests.compare.stats import is_success
from loadtests.compare.sweep import Point

BIN_S: Final = 0.1
_OK: Final = "#2ca02c"
_ERROR: Final = "#d62728"
_FAULT: Final = "#ff7f0e"
_LEADER: Final = "#555555"
_COLORS: Final = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


def color(index: int) -> str:
    return _COLORS[index % len(_COLORS)]


def _axes(width: float = 7.0, height: float = 3.6) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    axes.grid(True, color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def _legend(axes: Axes, **where: Any) -> None:
    if axes.get_legend_handles_labels()[0]:  # nothing to name when no strategy was measured
        axes.legend(**where)


def latency_cdf(runs: Sequence[StrategyRun]) -> Figure:
    figure, axes = _axes()
    for i, run in enumerate(runs):
        latencies = sorted(o.latency_s * 1000 for o in run.history)
        if latencies:
            shares = [(n + 1) / len(latencies) for n in range(len(latencies))]
            axes.step(latencies, shares, where="post", color=color(i), label=run.name)
    axes.set_xscale("log")
    axes.set_xlabel("latency (ms, log scale)")
    axes.set_ylabel("share of operations at or below")
    axes.set_title("Latency distribution (every operation, every user count)")
    _legend(axes, loc="lower right")
    return figure


def throughput(runs: Sequence[StrategyRun]) -> Figure:
    figure, axes = _axes()
    users = sorted({load.users for run in runs for load in run.loads})
    for i, run in enumerate(runs):
        points = [(load.users, load.summary().throughput_ops_s) for load in run.loads]
        axes.plot(*zip(*points, strict=True), marker="o", color=color(i), label=run.name)
    if len(users) > 1 and users[-1] / users[0] >= 8:
        axes.set_xscale("log", base=2)
    axes.set_xticks(users, [str(n) for n in users])
    highest = max(
        (load.summary().throughput_ops_s for run in runs for load in run.loads), default=0
    )
    axes.set_ylim(bottom=0, top=highest * 1.15 or 1)  # the top point clear of the frame
    axes.set_xlabel("concurrent users")
    axes.set_ylabel("operations / s")
    axes.set_title("Throughput against users")
    _legend(axes)
    return figure


def _by_unit() -> dict[str, list[str]]:
    """The anomaly kinds grouped by what they count, in results.json's order."""
    groups: dict[str, list[str]] = {}
    for kind in ANOMALIES:
        groups.setdefault(UNITS[kind], []).append(kind)
    return groups


def _anomaly_panel(axes: Axes, runs: Sequence[StrategyRun], kinds: Sequence[str]) -> None:
    width = 0.8 / max(len(runs), 1)
    highest = 0
    for i, run in enumerate(runs):
        counts = run.anomalies()
        values = [counts[kind] for kind in kinds]
        highest = max(highest, *values)
        offsets = [k + (i - (len(runs) - 1) / 2) * width for k in range(len(kinds))]
        bars = axes.bar(offsets, values, width, color=color(i), label=run.name)
        axes.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8, padding=2)
    names = [textwrap.fill(kind.replace("_", " "), 14, break_long_words=False) for kind in kinds]
    axes.set_xticks(range(len(kinds)), names, fontsize=8)
    if highest > 100:  # a log scale keeps small counts visible beside large ones
        axes.set_yscale("symlog", linthresh=10)
        axes.set_ylim(bottom=0, top=highest * 4)  # room for the labels, in log space
    else:
        axes.set_ylim(bottom=0, top=max(highest * 1.25, 1))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole things, no fractions


def anomalies(runs: Sequence[StrategyRun]) -> Figure:
    """One panel per unit (reads, stock units, replicas, ...): counts of different
    things never share an axis."""
    groups = _by_unit()
    figure = Figure(figsize=(max(7.0, 1.6 * len(ANOMALIES)), 3.8), dpi=110, layout="constrained")
    panels = figure.subplots(
        1, len(groups), squeeze=False, width_ratios=[len(k) for k in groups.values()]
    )[0]
    for axes, (unit, kinds) in zip(panels, groups.items(), strict=True):
        axes.grid(True, axis="y", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        _anomaly_panel(axes, runs, kinds)
        axes.set_ylabel(unit)
    figure.suptitle("Anomalies found by the checkers, each panel in its own unit")
    _legend(panels[-1], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return figure


def _counts(load: LoadRun) -> tuple[list[float], list[int], list[int]]:
    """Bins of BIN_S seconds from 0 (the run's first request): successes and errors
    per bin, by reply time. The scenario's setup, before 0, is left out."""
    times = [(o.complete - load.zero, is_success(o)) for o in load.history]
    times = [(t, ok) for t, ok in times if t >= 0]
    bins = int(max((t for t, _ in times), default=0.0) / BIN_S) + 1
    ok, error = [0] * bins, [0] * bins
    for t, success in times:
        (ok if success else error)[int(t / BIN_S)] += 1
    return [n * BIN_S for n in range(bins)], ok, error


def _timeline_panel(axes: Axes, run: StrategyRun, load: LoadRun) -> None:
    starts, ok, error = _counts(load)
    axes.bar(starts, ok, BIN_S, align="edge", color=_OK, label="succeeded")
    axes.bar(starts, error, BIN_S, align="edge", bottom=ok, color=_ERROR, label="failed")
    top = max((a + b for a, b in zip(ok, error, strict=True)), default=0) * 1.3 or 1
    axes.set_ylim(0, top)
    for window in load.faults:
        if window.node is None:
            continue
        axes.axvspan(
            window.start_s,
            max(window.end_s, window.start_s + BIN_S),
            color=_FAULT,
            alpha=0.18,
            linewidth=0,
        )
        axes.text(
            window.start_s,
            top * 0.97,
            f" {window.action}-{window.target} → {run.label(window.node)}",
            va="top",
            fontsize=8,
            color="#8a4500",
            clip_on=True,
        )
    for change in load.leader_changes:
        axes.axvline(change.at_s, color=_LEADER, linestyle="--", linewidth=0.8)
        axes.text(
            change.at_s,
            top * 0.80,
            f" leader {run.label(change.leader) if change.leader else 'none'}",
            va="top",
            fontsize=7,
            color=_LEADER,
            rotation=90,
        )
    healed = max((w.end_s for w in load.faults if w.node is not None), default=0.0)
    axes.set_xlim(0, max(starts[-1] + BIN_S, healed) + 2 * BIN_S)  # faults after the load too
    axes.set_ylabel(f"{load.users} users\nops / {BIN_S * 1000:.0f} ms")


def timeline(run: StrategyRun) -> Figure:
    panels = max(len(run.loads), 1)
    figure = Figure(figsize=(9.0, 0.6 + 2.0 * panels), dpi=110, layout="constrained")
    grid = figure.subplots(panels, 1, squeeze=False)
    for axes, load in zip(grid[:, 0], run.loads, strict=False):
        axes.grid(True, axis="y", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        _timeline_panel(axes, run, load)
    grid[-1, 0].set_xlabel("seconds since the load run's first request")
    _legend(grid[0, 0], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    figure.suptitle(
        f"{run.name}: operations per {BIN_S * 1000:.0f} ms by reply time; "
        "faults shaded, leader changes dashed"
    )
    return figure


def _marks(step: Point) -> str:
    """The point's anomalies other than stale reads (those are the panel's axis)."""
    found = {k: n for k, n in step.anomalies.items() if n and k != "stale_reads"}
    return ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in found.items())


def curves(runs: Sequence[StrategyRun]) -> Figure:
    """p50 (dashed) and p99 (solid) against achieved throughput, one colour per
    strategy; below, at the same throughputs, the share of reads that were stale, with
    any other anomaly written beside its point and a saturated generator ringed."""
    figure = Figure(figsize=(8.0, 6.4), dpi=110, layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(2.2, 1))
    for axes in (top, bottom):
        axes.grid(True, color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
    for i, run in enumerate(runs):
        steps = [s for s in run.curve if s.latency_ms is not None]
        if not steps:
            continue
        x = [s.achieved_ops_s for s in steps]
        p50 = [s.latency_ms.p50 for s in steps if s.latency_ms is not None]
        p99 = [s.latency_ms.p99 for s in steps if s.latency_ms is not None]
        top.plot(x, p99, marker="o", color=color(i), label=f"{run.name} p99")
        top.plot(x, p50, marker=".", linestyle="--", color=color(i), label=f"{run.name} p50")
        stale = [100 * s.anomalies.get("stale_reads", 0) / max(s.reads_checked, 1) for s in steps]
        bottom.plot(x, stale, marker="o", color=color(i), label=run.name)
        for step, at, share in zip(steps, x, stale, strict=True):
            if _marks(step):
                bottom.annotate(_marks(step), (at, share), fontsize=7, color=color(i),
                                xytext=(4, 4), textcoords="offset points")  # fmt: skip
            if step.saturation:
                top.plot([at], [step.latency_ms.p99 if step.latency_ms else 0], marker="o",
                         markersize=13, markerfacecolor="none", color="#444444")  # fmt: skip
    top.set_yscale("log")
    top.set_ylabel("latency (ms, log scale)")
    top.set_title("Latency against achieved throughput, one point per offered rate")
    _legend(top, fontsize="small", ncols=2)
    bottom.set_ylim(bottom=0, top=max(1.0, bottom.get_ylim()[1]))  # 0% sits on the axis
    bottom.set_ylabel("stale reads\n(% of reads)")
    bottom.set_xlabel("achieved throughput (successful operations / s)")
    _legend(bottom, fontsize="small")
    bottom.set_title(
        "Stale reads per point; other anomalies written beside it; ringed above:"
        " generator saturated", fontsize=9,
    )  # fmt: skip
    return figure


BY_USERS: Final = frozenset({"throughput"})  # plots whose x axis is the user counts
PLOTS: Final = {
    "latency_cdf": latency_cdf,
    "throughput": throughput,
    "anomalies": anomalies,
}


def save_plots(runs: Sequence[StrategyRun], directory: Path) -> dict[str, Path]:
    """Every plot as directory/<name>.png, each strategy's timeline as timeline-<name>.png,
    the first few of its failing histories as history-<name>-<kind>-<n>.png."""
    directory.mkdir(parents=True, exist_ok=True)
    # A sweep offers rates at one user count: it has its curve, not throughput by users.
    swept = any(run.curve for run in runs)
    figures = {name: plot(runs) for name, plot in PLOTS.items() if not (swept and name in BY_USERS)}
    if swept:
        figures["curves"] = curves(runs)
    figures |= {timeline_name(run): timeline(run) for run in runs}
    figures |= {name: drawn for run in runs for name, drawn in history_figures(run).items()}
    saved = {}
    for name, figure in figures.items():
        path = directory / f"{name}.png"
        figure.savefig(path, format="png")
        saved[name] = path
    return saved


def timeline_name(run: StrategyRun) -> str:
    return f"timeline-{run.name}"
