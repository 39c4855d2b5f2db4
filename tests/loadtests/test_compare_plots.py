"""The report's charts: counts of different units never share an axis, every axis says its unit."""

import re
from dataclasses import replace
from pathlib import Path

from matplotlib.container import BarContainer

from loadtests.checkers.report import UNITS
from loadtests.compare.model import ANOMALIES, StrategyRun
from loadtests.compare.plots import PLOTS, anomalies, save_plots, timeline
from loadtests.compare.sweep import curve
from loadtests.history import Replicas, ReplicaState
from tests.loadtests.support import Shop, call
from tests.loadtests.synthetic import order, setup_calls, shop_history, strategy_run

PEN = {"name": "pen", "price": 2, "quantity": 5}


def _runs() -> list[StrategyRun]:
    shop = Shop()
    calls = [*setup_calls(), *(order(f"o{n}", 1) for n in range(5))]
    good_history = shop_history(shop, calls, [2.0] * len(calls), start=10.0)
    good = strategy_run("good", [(1, good_history)], shop.replicas("s1", "s2"))
    broken_history = [
        call("CreateClient", "c1", 0, 1, {"name": "Ana"}),
        call("UpdateClient", "c1", 2, 3, {"name": "Bia"}),
        call("RetrieveClient", "c1", 4, 5, {"name": "Ana"}),  # stale, not linearizable
        call("CreateProduct", "p1", 0, 1, PEN),
        call("CreateOrder", "o1", 2, 4, {"products": [{"PID": "p1", "quantity": 4}]}),
        call("CreateOrder", "o2", 2, 4, {"products": [{"PID": "p1", "quantity": 4}]}, cid="c2"),
    ]
    replicas = Replicas({"s1": ReplicaState("a", {"p1": 1}), "s2": ReplicaState("b", {"p1": 0})})
    return [good, strategy_run("broken", [(1, broken_history)], replicas)]


def test_every_anomaly_count_has_a_unit() -> None:
    assert set(UNITS) == set(ANOMALIES)


def test_each_anomaly_panel_holds_one_unit_and_the_counts_of_each_strategy() -> None:
    runs = _runs()
    figure = anomalies(runs)
    shown = []
    for axes in figure.axes:
        kinds = [re.sub(r"\s", "_", label.get_text()) for label in axes.get_xticklabels()]
        assert {UNITS[kind] for kind in kinds} == {axes.get_ylabel()}
        bars = [c for c in axes.containers if isinstance(c, BarContainer)]
        for run, container in zip(runs, bars, strict=True):
            heights = [patch.get_height() for patch in container.patches]
            assert heights == [run.anomalies()[kind] for kind in kinds], run.name
        shown += kinds
    assert sorted(shown) == sorted(ANOMALIES)
    assert len(figure.axes) == len(set(UNITS.values())) > 1


def test_every_chart_labels_its_axes() -> None:
    runs = _runs()
    figures = {name: plot(runs) for name, plot in PLOTS.items()}
    figures |= {f"timeline-{run.name}": timeline(run) for run in runs}
    for name, figure in figures.items():
        assert all(axes.get_ylabel() for axes in figure.axes), name
        if name != "anomalies":  # its x axis names the anomalies: no quantity, no unit
            assert figure.axes[-1].get_xlabel(), name


def test_a_sweep_draws_its_curve_in_place_of_throughput_by_users(tmp_path: Path) -> None:
    closed = _runs()
    swept = [replace(run, curve=tuple(curve(run.loads))) for run in closed]
    assert {"throughput", "latency_cdf", "anomalies"} <= save_plots(closed, tmp_path / "a").keys()
    drawn = save_plots(swept, tmp_path / "b").keys()
    assert "curves" in drawn and "throughput" not in drawn
    assert {"latency_cdf", "anomalies"} <= drawn
