"""A finding's failing history drawn as a timeline: the lanes and bars it is built from,
and the PNGs a comparison writes for the first few findings of each kind."""

import base64
from dataclasses import replace
from pathlib import Path

import pytest
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from loadtests.checkers import check_linearizability, check_staleness
from loadtests.checkers.evidence import example
from loadtests.compare import write_outputs
from loadtests.compare.history_plot import (
    MAX_DRAWN,
    MIN_WIDTH,
    Bar,
    Drawing,
    draw,
    history_figures,
    label,
    layout,
)
from loadtests.history import Operation, Replicas, ReplicaState
from tests.loadtests.support import call
from tests.loadtests.synthetic import comparison, strategy_run

A, B = {"name": "Ana"}, {"name": "Bia"}
PNG = b"\x89PNG\r\n\x1a\n"


def on(server: str, operation: Operation) -> Operation:
    return replace(operation, server=server)


def spans(drawing: Drawing) -> list[tuple[int, int, float, float | None, str, bool]]:
    """Each bar as (lane, row, start ms, end ms, label, highlighted), rounded to µs."""
    return [
        (b.lane, b.row, round(b.start_ms, 3), None if b.end_ms is None else round(b.end_ms, 3),
         b.label, b.highlighted)
        for b in drawing.bars
    ]  # fmt: skip


def legend(axes: Axes) -> list[str]:
    drawn = axes.get_legend()
    assert drawn is not None
    return [text.get_text() for text in drawn.get_texts()]


def test_a_stale_read_is_drawn_per_node_with_the_write_it_missed() -> None:
    history = [
        call("CreateClient", "c1", 10.0, 10.001, A),
        call("UpdateClient", "c1", 10.002, 10.003, B),
        on("s2", call("RetrieveClient", "c1", 10.004, 10.006, A, process="p2")),
    ]
    (found,) = check_staleness(history).examples
    drawing = layout(found, 10.0, "node")
    assert (drawing.by, drawing.lanes, drawing.rows) == ("node", ("s1", "s2"), (1, 1))
    assert spans(drawing) == [
        (0, 0, 2.0, 3.0, "UpdateClient name=Bia", True),
        (1, 0, 4.0, 6.0, "RetrieveClient → name=Ana", True),
    ]
    left, right = drawing.window_ms
    assert left < 2.0 and right > 6.0
    assert drawing.title == found.what


def test_a_non_linearizable_history_is_drawn_per_client_its_conflict_marked() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A, process="p1"),
        call("UpdateClient", "c1", 2, 3, B, error=503, outcome="unknown", process="p2"),
        call("RetrieveClient", "c1", 4, 5, B, process="p3"),
        call("RetrieveClient", "c1", 8, 12, A, process="p3"),
    ]
    (found,) = check_linearizability(history).examples
    drawing = layout(found, 0.0, "client")
    assert (drawing.lanes, drawing.rows) == (("p1", "p2", "p3"), (1, 1, 1))
    # The unknown update may land any time after its invoke: its bar is open-ended.
    # Without either read the rest is linearizable: those two are the conflict.
    assert spans(drawing) == [
        (0, 0, 0.0, 1000.0, "CreateClient name=Ana", False),
        (1, 0, 2000.0, None, "UpdateClient name=Bia (unknown)", False),
        (2, 0, 4000.0, 5000.0, "RetrieveClient → name=Bia", True),
        (2, 0, 8000.0, 12000.0, "RetrieveClient → name=Ana", True),
    ]


def test_overlapping_operations_of_a_lane_stack_in_rows_labels_clear() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A, process="p1"),
        call("UpdateClient", "c1", 0.5, 2, B, error=503, outcome="unknown", process="p2"),
        call("RetrieveClient", "c1", 1.2, 1.5, None, process="p3"),
        call("UpdateClient", "c1", 2.5, 3, {"name": "x" * 60}, error=404, process="p2"),
    ]
    drawing = layout(example(history, "c1", "one node", range(4), [2]), 0.0, "node")
    assert (drawing.lanes, drawing.rows) == (("s1",), (3,))
    bars = {b.start_ms: b for b in drawing.bars}
    # The read fits after the create; the open-ended update holds its row to the end;
    # the refused update's long label, moved left to end in the window, would cover the
    # read's: a third row.
    assert [bars[t].row for t in (0.0, 500.0, 1200.0, 2500.0)] == [0, 1, 0, 2]
    assert bars[2500.0].label == "UpdateClient name=" + "x" * 38 + "… (fail)"  # 44 chars
    assert bars[1200.0].label == "RetrieveClient → not found"
    # A label that would run out of the window starts early enough to end inside it.
    right = drawing.window_ms[1]
    assert bars[2500.0].label_ms < 2500.0 and bars[2500.0].label_ms > drawing.window_ms[0]
    assert [b.highlighted for b in drawing.bars] == [False, False, True, False]
    assert right > 3000.0


def test_a_label_names_the_operation_and_its_value_without_json_quotes() -> None:
    order = {"products": [{"PID": "p1", "quantity": 4}]}
    pen = {"name": "pen", "price": 2.5, "quantity": 9991}
    assert label(call("CreateOrder", "o1", 0, 1, order), "p1") == (
        "CreateOrder o1 products=[{PID:p1,quantity:4}]"  # another record than the example's
    )
    assert label(call("RetrieveProduct", "p1", 0, 1, pen), "p1") == (
        "RetrieveProduct → name=pen, price=2.5, quantity=9991"
    )
    assert label(call("DeleteClient", "c1", 0, 1, outcome="unknown"), "c1") == (
        "DeleteClient (unknown)"
    )


def test_the_figure_has_a_lane_per_client_and_a_bar_per_operation() -> None:
    drawing = Drawing(
        "two clients", "client", ("p1", "p2"), (1, 2),
        (Bar(0, 0, 0.0, 1.0, "a", 0.0, "ok", True), Bar(1, 0, 0.5, None, "b", 0.5, "unknown",
         False), Bar(1, 1, 0.7, 0.9, "c", 0.7, "fail", False)),
        (-0.1, 1.1),
    )  # fmt: skip
    (axes,) = draw(drawing).axes
    assert [t.get_text() for t in axes.get_yticklabels()] == ["client p1", "client p2"]
    assert axes.get_xlabel() == "ms since the run's first request"
    widths = sorted(round(p.get_width(), 6) for p in axes.patches if isinstance(p, Rectangle))
    assert widths == [0.2, 0.6, 1.0]  # the unknown one runs to the window's right edge
    assert legend(axes) == [
        "in conflict",
        "context",
        "changed nothing",
        "outcome unknown: open-ended",
    ]


def test_a_short_call_in_a_long_window_shows_and_the_legend_names_only_what_is_drawn() -> None:
    drawing = Drawing(
        "one call", "node", ("s1",), (1,), (Bar(0, 0, 10.0, 10.001, "a", 10.0, "ok", True),),
        (0.0, 1000.0),
    )  # fmt: skip
    (axes,) = draw(drawing).axes
    widths = [round(p.get_width(), 6) for p in axes.patches if isinstance(p, Rectangle)]
    assert widths == [1000.0 * MIN_WIDTH]
    assert legend(axes) == ["in conflict"]


def test_a_history_without_findings_draws_none(tmp_path: Path) -> None:
    history = [
        call("CreateClient", "c1", 0, 1, A),
        call("UpdateClient", "c1", 2, 3, B),
        on("s2", call("RetrieveClient", "c1", 4, 5, B)),
    ]
    run = strategy_run("good", [(1, history)], Replicas({"s1": ReplicaState("a", {})}))
    assert history_figures(run) == {}
    outputs = write_outputs(comparison(tmp_path, run))
    assert not [name for name in outputs.plots if name.startswith("history-")]


@pytest.mark.parametrize("stale", [1, MAX_DRAWN + 2])
def test_the_first_few_findings_are_written_and_embedded(tmp_path: Path, stale: int) -> None:
    history = [call("CreateClient", "c1", 0, 1, A), call("UpdateClient", "c1", 2, 3, B)]
    history += [
        on("s2", call("RetrieveClient", "c1", 4 + n, 4.5 + n, A, process=f"u{n}"))
        for n in range(stale)
    ]
    run = strategy_run("bad", [(1, history)], Replicas({"s1": ReplicaState("a", {})}))
    assert len(run.report.staleness.examples) == stale
    outputs = write_outputs(comparison(tmp_path, run))
    drawn = sorted(name for name in outputs.plots if name.startswith("history-"))
    stale_drawn = [f"history-bad-stale_reads-{n}" for n in range(1, min(stale, MAX_DRAWN) + 1)]
    assert drawn == ["history-bad-linearizability-1", *stale_drawn]
    page = outputs.report.read_text()
    for name in drawn:
        path = outputs.plots[name]
        assert path == tmp_path / "plots" / f"{name}.png"
        assert path.read_bytes().startswith(PNG)
        assert base64.b64encode(path.read_bytes()).decode() in page
    assert page.count("<figcaption>The operations as bars from invoke to reply") == len(drawn)
