"""A checker's example drawn as a timeline, as Porcupine's and Knossos' pages draw a
failing history: one lane per client (or per node), each operation a bar from its
invoke to its completion, the operations in conflict (`Example.highlight`) in red.

An operation of unknown outcome may take effect any time after its invoke, so its bar
runs open to the window's right edge, hatched. A lane whose operations overlap (a node
serves many clients; an open-loop client does not wait) stacks them in rows.

`layout` computes what is drawn (lanes, rows, bars, window), `draw` renders it with
matplotlib's object API; `history_figures` draws the first few stale-read and
linearizability examples of a strategy run, so a bad run's report stays small.
"""

import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from loadtests.checkers import Example, Report
from loadtests.compare.model import StrategyRun
from loadtests.history import Operation, Outcome

Lanes = Literal["client", "node"]
MAX_DRAWN: Final = 3  # examples drawn per kind and strategy
LABEL_CHARS: Final = 44  # of a value in a label: a product's name, price and stock fit
CHARS_ACROSS: Final = 90  # about as many label characters fit across the plot
# What a finding concerns: a linearizability conflict is between clients' views of one
# record; a stale read is a node that had not applied what another acknowledged.
KINDS: Final[Mapping[str, Lanes]] = {"linearizability": "client", "stale_reads": "node"}
_CONFLICT: Final = "#d62728"
_CONTEXT: Final = "#9ecae1"
_FAILED: Final = "#d9d9d9"
_EDGE: Final = "#333333"
MIN_WIDTH: Final = 0.004  # of the window: the narrowest bar drawn


@dataclass(frozen=True, slots=True)
class Bar:
    lane: int  # index into `Drawing.lanes`
    row: int  # within its lane, from 0: overlapping bars stack
    start_ms: float
    end_ms: float | None  # None: unknown outcome, open to the window's right edge
    label: str
    label_ms: float  # where its label starts: at the bar, or left of it to end in the window
    outcome: Outcome
    highlighted: bool


@dataclass(frozen=True, slots=True)
class Drawing:
    title: str
    by: Lanes
    lanes: tuple[str, ...]  # client or node names, top to bottom
    rows: tuple[int, ...]  # rows per lane
    bars: tuple[Bar, ...]  # in order of invoke
    window_ms: tuple[float, float]


def _plain(value: Any) -> str:
    """JSON without its quotes, for a person."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(map(_plain, value)) + "]"
    return value if isinstance(value, str) else json.dumps(value)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        text = ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    else:
        text = _plain(value)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def label(o: Operation, key: str) -> str:
    """The operation and its value, short; its record too when not the example's."""
    name = o.op if o.key in (key, None) else f"{o.op} {o.key}"
    if o.is_read:
        seen = _short(o.result.get("data")) if o.result.get("found") else "not found"
        return f"{name} → {seen}" if o.outcome == "ok" else f"{name} ({o.outcome})"
    value = o.args.get("data")
    text = name if value is None else f"{name} {_short(value)}"
    return text if o.outcome == "ok" else f"{text} ({o.outcome})"


def _rows(spans: Sequence[tuple[float, float]]) -> list[int]:
    """Each span's row: the first whose last span ended before it starts."""
    ends: list[float] = []
    rows = []
    for start, end in spans:
        row = next((r for r, last in enumerate(ends) if last < start), len(ends))
        ends[row : row + 1] = [end]
        rows.append(row)
    return rows


def _lane(o: Operation, by: Lanes) -> str:
    return o.process if by == "client" else o.server


def _window(ops: Sequence[Operation], origin: float) -> tuple[float, float]:
    first = min(o.invoke for o in ops)
    last = max(o.complete for o in ops)
    pad = max((last - first) * 0.05, 0.0005)  # at least half a millisecond each side
    return (first - pad - origin) * 1000, (last + pad - origin) * 1000


def layout(example: Example, origin: float, by: Lanes, title: str = "") -> Drawing:
    """What a drawing of `example` shows, times in ms after `origin` (time.monotonic())."""
    marked = set(example.highlight)
    ops = sorted(zip(example.indices, example.operations, strict=True), key=lambda p: p[1].invoke)
    left, right = _window(example.operations, origin)
    char_ms = (right - left) / CHARS_ACROSS
    lanes = tuple(dict.fromkeys(_lane(o, by) for _, o in ops))
    bars: list[Bar] = []
    rows = []
    for lane, name in enumerate(lanes):
        mine = []
        for i, o in ops:
            if _lane(o, by) != name:
                continue
            start, text = (o.invoke - origin) * 1000, label(o, example.key)
            end = None if o.outcome == "unknown" else (o.complete - origin) * 1000
            at = max(min(start, right - len(text) * char_ms), left)
            mine.append(Bar(lane, 0, start, end, text, at, o.outcome, i in marked))
        # A bar takes its row from its label's start to its end or its label's, whichever
        # is later: neither bars nor labels overlap.
        spans = [
            (
                b.label_ms,
                max(right if b.end_ms is None else b.end_ms, b.label_ms + len(b.label) * char_ms),
            )
            for b in mine
        ]
        placed = _rows(spans)
        rows.append(max(placed) + 1)
        bars += (replace(bar, row=row) for bar, row in zip(mine, placed, strict=True))
    bars.sort(key=lambda bar: bar.start_ms)
    return Drawing(title or example.what, by, lanes, tuple(rows), tuple(bars), (left, right))


def _legend(bars: Sequence[Bar]) -> list[Patch]:
    """An entry for each style the bars use."""
    plain = [bar for bar in bars if not bar.highlighted]
    styles = [
        (len(plain) < len(bars), Patch(facecolor=_CONFLICT, edgecolor=_EDGE, label="in conflict")),
        (any(b.outcome != "fail" for b in plain),
         Patch(facecolor=_CONTEXT, edgecolor=_EDGE, label="context")),
        (any(b.outcome == "fail" for b in plain),
         Patch(facecolor=_FAILED, edgecolor=_EDGE, label="changed nothing")),
        (any(b.end_ms is None for b in bars),
         Patch(facecolor="white", edgecolor=_EDGE, hatch="//", linestyle="--",
               label="outcome unknown: open-ended")),
    ]  # fmt: skip
    return [patch for used, patch in styles if used]


def draw(drawing: Drawing) -> Figure:
    total = sum(drawing.rows)
    figure = Figure(figsize=(8.0, min(1.5 + 0.5 * total, 12.0)), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    tops = [sum(drawing.rows[:lane]) for lane in range(len(drawing.lanes))]
    left, right = drawing.window_ms
    for bar in drawing.bars:
        y = tops[bar.lane] + bar.row
        end = right if bar.end_ms is None else bar.end_ms
        # A call of a millisecond in a window of seconds still shows, as a sliver.
        width = max(end - bar.start_ms, (right - left) * MIN_WIDTH)
        colour = _CONFLICT if bar.highlighted else _FAILED if bar.outcome == "fail" else _CONTEXT
        axes.barh(
            y + 0.65,
            width,
            height=0.45,
            left=bar.start_ms,
            color=colour,
            edgecolor=_EDGE,
            linewidth=0.8,
            hatch="//" if bar.end_ms is None else None,
            linestyle="--" if bar.end_ms is None else "-",
        )
        axes.text(bar.label_ms, y + 0.38, bar.label, fontsize=7, va="bottom", clip_on=True)
    for top in tops[1:]:
        axes.axhline(top, color="#bbbbbb", linewidth=0.6)
    axes.set_xlim(left, right)
    axes.ticklabel_format(axis="x", useOffset=False)  # ms since the start, as the table has
    axes.set_ylim(total, 0)  # the first lane on top
    axes.set_yticks(
        [top + rows / 2 for top, rows in zip(tops, drawing.rows, strict=True)],
        [f"{drawing.by} {name}" for name in drawing.lanes],
        fontsize=8,
    )
    axes.grid(True, axis="x", color="#eeeeee", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.set_xlabel("ms since the run's first request")
    axes.set_title(textwrap.fill(drawing.title, 100), fontsize=9, loc="left")
    axes.legend(handles=_legend(drawing.bars), fontsize=7, loc="upper left",
                bbox_to_anchor=(1.0, 1.0))  # fmt: skip
    return figure


def findings(report: Report) -> dict[str, tuple[Example, ...]]:
    """The examples drawn, per kind: the first MAX_DRAWN of each."""
    examples = {
        "linearizability": report.linearizability.examples,
        "stale_reads": report.staleness.examples,
    }
    return {kind: found[:MAX_DRAWN] for kind, found in examples.items()}


def history_name(strategy: str, kind: str, n: int) -> str:
    """The plot name of a strategy's `n`th example (from 0) of a kind."""
    return f"history-{strategy}-{kind}-{n + 1}"


def _named(drawing: Drawing, run: StrategyRun) -> Drawing:
    """Node lanes named as everywhere in the report: `s2 (127.0.0.1:50052)`."""
    if drawing.by != "node":
        return drawing
    return replace(drawing, lanes=tuple(map(run.label, drawing.lanes)))


def history_figures(run: StrategyRun) -> dict[str, Figure]:
    """The drawings of a run's findings by plot name; {} when it has none."""
    return {
        history_name(run.name, kind, n): draw(_named(layout(example, run.start, KINDS[kind]), run))
        for kind, examples in findings(run.report).items()
        for n, example in enumerate(examples)
    }
