"""What a person watches while the comparison runs, and the table it ends with.

On a terminal the current load run is one line redrawn in place (strategy, user
count, elapsed of duration, operations so far); in a log (stderr not a TTY) the
same line is printed every few seconds instead, so CI logs stay short.
"""

import sys
import time
from collections.abc import Sequence
from typing import Final, TextIO

from loadtests.compare.headroom import headroom_note
from loadtests.compare.load import Counted
from loadtests.compare.model import ANOMALIES, Comparison, StrategyRun
from loadtests.compare.nodes import broker_text
from loadtests.compare.numbers import ms, per_second
from loadtests.compare.plan import load_model
from loadtests.compare.verdict import generator_warning, spread_note, verdicts

LOG_EVERY_S: Final = 5.0
BAR: Final = 20


class Progress:
    def __init__(self, stream: TextIO = sys.stderr, live: bool | None = None) -> None:
        self._stream = stream
        self._live = stream.isatty() if live is None else live
        self._started = time.monotonic()
        self._drawn = False  # a live line is on screen and must be cleared first
        self._logged = 0.0

    def say(self, text: str) -> None:
        """A line that stays: a stage of the comparison."""
        self._clear()
        elapsed = time.monotonic() - self._started
        self._stream.write(f"[{elapsed:5.0f} s] {text}\n")
        self._stream.flush()

    def load(
        self,
        strategy: str,
        users: int,
        elapsed: float | None,
        duration: float,
        counted: Counted | None,
    ) -> None:
        """The running load (`elapsed` None until its first request): redrawn on a
        terminal, printed now and then in a log."""
        line = f"  {strategy} · {users} users"
        if elapsed is None:
            line += " · starting Locust and the scenario's setup"
        else:
            done = min(elapsed / duration, 1.0) if duration > 0 else 1.0
            bar = "#" * round(done * BAR) + "." * (BAR - round(done * BAR))
            line += f" [{bar}] {elapsed:4.1f}/{duration:.0f} s"
        if counted is not None and counted.requests:
            line += f" · {counted.requests:,} ops ({per_second(counted.per_second)}/s)"
        if self._live:
            self._stream.write("\r\x1b[K" + line)
            self._drawn = True
        elif time.monotonic() - self._logged >= LOG_EVERY_S:
            self._stream.write(line + "\n")
            self._logged = time.monotonic()
        self._stream.flush()

    def _clear(self) -> None:
        if self._drawn:
            self._stream.write("\r\x1b[K")
            self._drawn = False


HEAD: Final = (
    "strategy", "ops/s", "p50 ms", "p99 ms", "errors", "linearizability", "stale reads",
    "oversold", "lost units", "divergent", "disagreements", "read-your-writes",
    "monotonic reads", "lost updates", "converged",
)  # fmt: skip


def _row(run: StrategyRun) -> tuple[str, ...]:
    summary = run.summary()
    latency = summary.latency_ms
    anomalies = run.anomalies()
    convergence = run.report.convergence
    return (
        run.name,
        per_second(summary.throughput_ops_s),
        ms(None if latency is None else latency.p50),
        ms(None if latency is None else latency.p99),
        f"{summary.errors:,}",
        *(f"{anomalies[k]:,}" for k in ANOMALIES),
        "yes" if convergence is not None and convergence.converged else "no",
    )


def summary_table(comparison: Comparison) -> str:
    """Plain text: the load generator's warning first when it set the pace, the load
    model, the table, then the verdict per strategy."""
    plan = comparison.plan
    warning = generator_warning(comparison.runs, plan.processes)
    top = [] if warning is None else ["WARNING: " + warning, ""]
    headroom = headroom_note(comparison.runs, plan)
    top += [] if headroom is None else [headroom, ""]
    lines = [*top, f"load: {load_model(plan)}", "", table(comparison.runs), ""]
    for run, verdict in zip(comparison.runs, verdicts(comparison.runs, plan.sweep), strict=True):
        found = [f"broke: {'; '.join(verdict.broke)}"] if verdict.broke else []
        found += [f"held: {'; '.join(verdict.held)}"] if verdict.held else []
        lines.append(f"{verdict.strategy}: {'; '.join(found)}")
        broker = broker_text(run.nodes)
        shown = (*verdict.cost, verdict.faults, None if broker is None else f"broker: {broker}")
        lines += [f"  {text}" for text in shown if text]
    if comparison.runs:
        lines.append(spread_note(comparison.runs))
    return "\n".join(lines)


def table(runs: Sequence[StrategyRun]) -> str:
    """Plain text, the strategy column left-aligned and the numbers right-aligned."""
    rows = [HEAD, *map(_row, runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEAD))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
