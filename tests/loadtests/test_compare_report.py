"""report.html is one self-contained page whose numbers and examples come from the history."""

import base64
import re
from html import escape
from pathlib import Path

from loadtests.compare import StrategyRun, write_outputs
from loadtests.compare.numbers import ms, per_second
from loadtests.compare.progress import table
from loadtests.history import Replicas, ReplicaState
from tests.loadtests.support import Shop, call
from tests.loadtests.synthetic import comparison, order, setup_calls, shop_history, strategy_run

PNG = b"\x89PNG\r\n\x1a\n"
PEN = {"name": "pen", "price": 2, "quantity": 5}


def _runs() -> tuple[StrategyRun, StrategyRun]:
    shop = Shop()
    calls = [*setup_calls(), *(order(f"o{n}", 1) for n in range(20))]
    first = shop_history(shop, calls, [float(n) for n in range(1, 23)], start=10.0)
    second = shop_history(shop, [("RetrieveProduct", {"ID": "p1"})] * 5, [3.0] * 5, start=20.0)
    good = strategy_run("good", [(1, first), (4, second)], shop.replicas("s1", "s2", "s3"))
    broken_history = [
        call("CreateClient", "c1", 0, 1, {"name": "Ana"}),
        call("UpdateClient", "c1", 2, 3, {"name": "Bia"}),
        call("RetrieveClient", "c1", 4, 5, {"name": "Ana"}),
        call("CreateProduct", "p1", 0, 1, PEN),
        call("CreateOrder", "o1", 2, 4, {"products": [{"PID": "p1", "quantity": 4}]}),
        call("CreateOrder", "o2", 2, 4, {"products": [{"PID": "p1", "quantity": 4}]}, cid="c2"),
    ]
    replicas = Replicas({"s1": ReplicaState("a", {"p1": 1}), "s2": ReplicaState("b", {"p1": 0})})
    broken = strategy_run("broken", [(1, broken_history), (4, [])], replicas)
    return good, broken


def test_the_page_embeds_every_plot_and_loads_nothing_else(tmp_path: Path) -> None:
    outputs = write_outputs(comparison(tmp_path, *_runs()))
    page = outputs.report.read_text()
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert set(outputs.plots) == {
        "latency_cdf", "throughput", "anomalies", "timeline-good", "timeline-broken",
        "history-broken-linearizability-1", "history-broken-stale_reads-1",
    }  # fmt: skip
    assert sorted(base64.b64decode(data) for data in embedded) == sorted(
        path.read_bytes() for path in outputs.plots.values()
    )
    assert all(path.read_bytes().startswith(PNG) for path in outputs.plots.values())
    assert not re.search(r"<link|<script|(src|href)=\"(https?:|//)", page)
    assert outputs.results.exists()


def test_the_page_shows_the_numbers_of_the_history(tmp_path: Path) -> None:
    good, broken = _runs()
    page = write_outputs(comparison(tmp_path, good, broken)).report.read_text()
    summary = good.summary()
    assert summary.latency_ms is not None
    row = re.search(r'<a href="#good">good</a><br><small>linearizable</small></td>(.*?)</tr>', page)
    assert row is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    latency = summary.latency_ms
    assert cells[:7] == [
        "3", "27", per_second(summary.throughput_ops_s),
        ms(latency.p50), ms(latency.p95), ms(latency.p99), ms(latency.max),
    ]  # fmt: skip
    assert cells[-6:] == ["0", "0", "0", "0", "0", "yes"]
    # Per operation: 20 orders of 1 unit, then 5 reads at 3 ms.
    assert re.search(r'<td class="name">CreateOrder</td><td>20</td>', page)
    assert re.search(r'<td class="name">RetrieveProduct</td><td>5</td>(<td>[^<]*</td>){2}'
                     r"<td>3.00</td>", page)  # fmt: skip


def test_the_page_shows_examples_of_each_anomaly_found(tmp_path: Path) -> None:
    good, broken = _runs()
    page = write_outputs(comparison(tmp_path, good, broken)).report.read_text()
    report = broken.report
    examples = [
        *report.linearizability.examples,
        *report.stock.examples,
        *report.staleness.examples,
    ]
    assert examples
    for example in examples:
        assert escape(example.what) in page
    assert "1 of 2 replicas ended with a state different from the majority" in page
    # Each drawn example carries its timeline between its sentence and its operations.
    for kind, example in [
        ("linearizability", report.linearizability.examples[0]),
        ("stale_reads", report.staleness.examples[0]),
    ]:
        drawing = base64.b64encode(
            (tmp_path / "plots" / f"history-broken-{kind}-1.png").read_bytes()
        )
        start = page.index(f"<summary>{escape(example.what)}</summary>")
        assert page.index(drawing.decode(), start) < page.index("</details>", start)
    good_section = page[page.index('<h2 id="good">') : page.index('<h2 id="broken">')]
    assert "None found." in good_section


def test_the_terminal_table_has_a_row_per_strategy() -> None:
    good, broken = _runs()
    lines = table([good, broken]).splitlines()
    assert lines[0].split()[:5] == ["strategy", "ops/s", "p50", "ms", "p99"]
    assert lines[2].split()[0] == "good" and lines[2].split()[-1] == "yes"
    # errors, then the anomalies: the stale read is also behind its own session's write
    assert lines[3].split()[-11:] == ["0", "1", "1", "3", "1", "1", "0", "1", "0", "0", "no"]


def test_the_anomalies_chart_spans_the_page_and_the_others_share_it(tmp_path: Path) -> None:
    page = write_outputs(comparison(tmp_path, *_runs())).report.read_text()
    figures = re.findall(r'<figure( class="wide")?><img src="[^"]+" alt="([^"]+)"', page)
    wide = {alt for cls, alt in figures if cls}
    assert wide == {"Anomalies per strategy; zero is what a correct strategy shows."}
    assert len(figures) > len(wide)
