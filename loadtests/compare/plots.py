"""The report's plots, as PNG files: latency CDFs, throughput against users, anomalies.

Figures are built with matplotlib's object API and rendered by its Agg backend
(no pyplot: no global figure state, no display needed).
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from loadtests.compare.model import ANOMALIES, StrategyRun

_COLORS: Final = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


def color(index: int) -> str:
    return _COLORS[index % len(_COLORS)]


def _axes(width: float = 7.0, height: float = 3.6) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    axes.grid(True, color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def _legend(axes: Axes, **where: str) -> None:
    if axes.get_legend_handles_labels()[0]:  # nothing to name when no strategy was measured
        axes.legend(**where)


def latency_cdf(runs: Sequence[StrategyRun]) -> Figure:
    figure, axes = _axes()
    for i, run in enumerate(runs):
        latencies = sorted((o.complete - o.invoke) * 1000 for o in run.history)
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
    axes.set_ylim(bottom=0)
    axes.set_xlabel("concurrent users")
    axes.set_ylabel("operations / s")
    axes.set_title("Throughput against users")
    _legend(axes)
    return figure


def anomalies(runs: Sequence[StrategyRun]) -> Figure:
    figure, axes = _axes(height=3.8)
    width = 0.8 / max(len(runs), 1)
    highest = 0
    for i, run in enumerate(runs):
        counts = run.anomalies()
        values = [counts[kind] for kind in ANOMALIES]
        highest = max(highest, *values)
        offsets = [k + (i - (len(runs) - 1) / 2) * width for k in range(len(ANOMALIES))]
        bars = axes.bar(offsets, values, width, color=color(i), label=run.name)
        axes.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8, padding=2)
    axes.set_xticks(range(len(ANOMALIES)), [kind.replace("_", " ") for kind in ANOMALIES])
    if highest > 100:  # a log scale keeps small counts visible beside large ones
        axes.set_yscale("symlog", linthresh=10)
        axes.set_ylim(bottom=0, top=highest * 4)  # room for the labels, in log space
    else:
        axes.set_ylim(bottom=0, top=max(highest * 1.25, 1))
    axes.set_ylabel("count")
    axes.set_title("Anomalies found by the checkers")
    _legend(axes)
    return figure


PLOTS: Final = {
    "latency_cdf": latency_cdf,
    "throughput": throughput,
    "anomalies": anomalies,
}


def save_plots(runs: Sequence[StrategyRun], directory: Path) -> dict[str, Path]:
    """Every plot as directory/<name>.png."""
    directory.mkdir(parents=True, exist_ok=True)
    saved = {}
    for name, plot in PLOTS.items():
        path = directory / f"{name}.png"
        plot(runs).savefig(path, format="png")
        saved[name] = path
    return saved
