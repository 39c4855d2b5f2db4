"""report.html: one self-contained page (inline CSS, plots as data: URIs) for people.

It opens with a warning when the load generator set the pace, then the verdict: per
strategy what the run showed it keeps and breaks, and its cost against the best
(`verdict`). Then side by side per strategy: throughput, latency percentiles, errors and anomalies;
then per strategy its user counts, what its faults cost (a timeline, unavailability,
phases, errors by kind, acknowledged writes lost), its operations and a few concrete
examples of each anomaly the checkers found, with the operations that show it.
"""

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any, Final

from loadtests.checkers import Example
from loadtests.compare.availability import strategy_phases, unavailability, unavailable_s
from loadtests.compare.failures import error_kinds
from loadtests.compare.headroom import headroom_note
from loadtests.compare.history_plot import MAX_DRAWN, history_name
from loadtests.compare.model import ANOMALIES, Comparison, LoadRun, StrategyRun
from loadtests.compare.nodes import broker_text
from loadtests.compare.numbers import ms, per_second, share
from loadtests.compare.plan import load_model
from loadtests.compare.plots import timeline_name
from loadtests.compare.stats import Summary, by_operation
from loadtests.compare.verdict import Verdict, generator_warning, spread_note, verdicts
from loadtests.history import Operation

WIDE: Final = frozenset({"anomalies"})  # a panel per unit: it needs the page's width
CAPTIONS: Final = {
    "latency_cdf": "Share of operations answered within a latency, per strategy.",
    "throughput": "Successful operations per second at each user count (from the history).",
    "anomalies": "Anomalies per strategy; zero is what a correct strategy shows.",
    "curves": "The sweep: p50 (dashed) and p99 (solid) against the throughput achieved at each"
    " offered rate; below, each point's share of stale reads, other anomalies beside it.",
}
MEANINGS: Final = {
    "linearizability": "client records whose history no single order of operations explains",
    "stale_reads": "reads that missed a write acknowledged before they started",
    "oversold_units": "units sold beyond the stock there was",
    "lost_stock_units": "stock units that acknowledged writes moved but a replica does not show",
    "divergent_replicas": "replicas whose final state differs from the majority's",
    "input_disagreements": "requests the service and the checkers' reading of SPEC.md judge apart",
    "read_your_writes_violations": "reads by a client that showed, on the server it wrote on, a"
    " write older than its own acknowledged one there",
    "monotonic_read_violations": "reads by a client that showed, on one server, a write older"
    " than one its earlier read there had shown",
    "lost_updates": "read-modify-writes derived from a read that missed an acknowledged write,"
    " which they then overwrote",
}
# What a strategy's design costs under faults that no measurement of one run can show.
CAVEATS: Final = {
    "memory": "memory keeps the only copy of the state in its one server's memory: a kill"
    " or restart of that server loses all of it, every acknowledged write included.",
}
STYLE: Final = """
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 2em auto; max-width: 1150px;
       padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
.meta, small { color: #666; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 13px;
        display: block; max-width: 100%; overflow-x: auto; }  /* wide ones scroll */
th, td { padding: 3px 7px; border-bottom: 1px solid #e4e4e4; text-align: right; }
td { white-space: nowrap; }
th { background: #f3f3f3; vertical-align: bottom; } td.name, th.name { text-align: left; }
td.bad, p.bad { color: #b00; font-weight: 600; } td.good { color: #080; }
.ops td, .ops th { text-align: left; white-space: normal; }
.ops td { font: 12px/1.3 ui-monospace, monospace; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1em; }
figure { margin: 0; } figure img { width: 100%; border: 1px solid #eee; }
figure.wide { grid-column: 1 / -1; }
figcaption { color: #555; font-size: 0.9em; }
details { margin: 0.4em 0 0.8em; } summary { cursor: pointer; }
.note { color: #7a5200; }
"""


def _cell(text: object, kind: str = "") -> str:
    return (
        f'<td class="{kind}">{escape(str(text))}</td>' if kind else f"<td>{escape(str(text))}</td>"
    )


def _table(head: Sequence[str], rows: Iterable[str], kind: str = "") -> str:
    first, *rest = head
    header = f'<th class="name">{escape(first)}</th>' + "".join(
        f"<th>{escape(h)}</th>" for h in rest
    )
    css = f' class="{kind}"' if kind else ""
    return f"<table{css}><tr>{header}</tr>{''.join(rows)}</table>"


def _latency_cells(summary: Summary) -> str:
    latency = summary.latency_ms
    values = (
        (None,) * 4 if latency is None else (latency.p50, latency.p95, latency.p99, latency.max)
    )
    return "".join(_cell(ms(v)) for v in values)


def _summary_row(run: StrategyRun) -> str:
    summary = run.summary()
    anomalies = run.anomalies()
    convergence = run.report.convergence
    converged = convergence is not None and convergence.converged
    return (
        f'<tr><td class="name"><a href="#{escape(run.name)}">{escape(run.name)}</a>'
        f"<br><small>{escape(run.consistency)}</small></td>"
        + _cell(len(run.servers))
        + _cell(f"{summary.operations:,}")
        + _cell(per_second(summary.throughput_ops_s))
        + _latency_cells(summary)
        + _cell(
            f"{summary.errors:,} ({share(summary.errors, summary.operations)})",
            "bad" if summary.errors else "",
        )
        + _cell(f"{summary.refused:,}")
        + "".join(_cell(f"{anomalies[k]:,}", "bad" if anomalies[k] else "good") for k in ANOMALIES)
        + _cell("yes" if converged else "no", "good" if converged else "bad")
        + "</tr>"
    )


def _overview(comparison: Comparison) -> str:
    head = [
        "strategy", "servers", "operations", "ops/s",
        "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "refused",
        *(k.replace("_", " ") for k in ANOMALIES), "converged",
    ]  # fmt: skip
    meanings = "".join(
        f"<li><b>{escape(k.replace('_', ' '))}</b>: {escape(v)}</li>" for k, v in MEANINGS.items()
    )
    return (
        "<h2>Summary</h2>"
        + _table(head, map(_summary_row, comparison.runs))
        + "<p>Latencies are every operation's, from the recorded history (not Locust's"
        " rounded statistics), from its due time under an open loop, else from its send."
        " <b>ops/s</b>: successful operations (answered, business refusals included) per"
        " second; <b>errors</b>: timeouts, transport failures, 503s,"
        " 500s, failed reads; <b>refused</b>: business refusals such as not enough stock.</p>"
        + f"<ul>{meanings}</ul>"
    )


def _figure(path: Path, caption: str, wide: bool = False) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    attributes = ' class="wide"' if wide else ""
    return (
        f"<figure{attributes}>"
        f'<img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _plots(images: Mapping[str, Path]) -> str:
    figures = [
        _figure(path, CAPTIONS[name], wide=name in WIDE)
        for name, path in images.items()
        if name in CAPTIONS
    ]
    return f'<h2>Plots</h2><div class="plots">{"".join(figures)}</div>'


def _cpu(run: StrategyRun, load: LoadRun) -> tuple[str, str]:
    """The generator's busiest process and every node, as shares of one core."""
    used = load.cpu.nodes.items()
    nodes = ", ".join(f"{run.label(name)} {share:.0%}" for name, share in used) or "-"
    return f"{load.cpu.generator_share:.0%}", nodes


def _by_users(run: StrategyRun) -> str:
    rows = []
    for load in run.loads:
        s = load.summary()
        faults = "; ".join(f"{w.start_s:.1f}-{w.end_s:.1f} s: {w.note}" for w in load.faults) or "-"
        generator, nodes = _cpu(run, load)
        pegged = load.saturation()
        rows.append(
            f'<tr><td class="name">{load.users}</td>'
            + _cell("closed" if load.rate is None else per_second(load.rate))
            + _cell(load.repeat + 1)
            + _cell(f"{s.operations:,}") + _cell(per_second(s.throughput_ops_s))
            + _latency_cells(s) + _cell(f"{s.errors:,}") + _cell(f"{s.refused:,}")
            + _cell(generator, "bad" if pegged else "") + _cell(nodes)
            + f'<td class="name">{escape(faults)}</td></tr>'
        )  # fmt: skip
    head = ["users", "offered ops/s", "run", "operations", "ops/s", "p50 ms", "p95 ms",
            "p99 ms", "max ms", "errors", "refused", "generator CPU", "nodes CPU",
            "faults"]  # fmt: skip
    return (
        "<h3>Per load run</h3>" + _table(head, rows)
        + "<p><small>CPU as a share of one core over the run: the busiest load generator"
        " process, and each node.</small></p>"
    )  # fmt: skip


def _curve(run: StrategyRun) -> str:
    if not run.curve:
        return ""
    rows = [
        f'<tr><td class="name">{per_second(step.offered_ops_s)}</td>'
        + _cell(per_second(step.achieved_ops_s))
        + _cell(ms(None if step.latency_ms is None else step.latency_ms.p50))
        + _cell(ms(None if step.latency_ms is None else step.latency_ms.p99))
        + _cell(f"{step.errors:,} ({share(step.errors, step.operations)})")
        + _cell(", ".join(f"{k.replace('_', ' ')} {n:,}" for k, n in step.anomalies.items()))
        + _cell("yes" if step.saturation else "no", "bad" if step.saturation else "")
        + "</tr>"
        for step in run.curve
    ]  # fmt: skip
    head = ["offered ops/s", "achieved ops/s", "p50 ms", "p99 ms", "errors", "anomalies",
            "generator saturated"]  # fmt: skip
    return "<h3>Latency-throughput curve</h3>" + _table(head, rows)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _fault_rows(run: StrategyRun) -> list[str]:
    return [
        f'<tr><td class="name">{load.users}</td><td class="name">'
        f"{escape(f'{w.action}-{w.target}')}</td>" + _cell(run.label(w.node) if w.node else "-")
        + _cell(f"{w.start_s:.2f}") + _cell(f"{w.end_s:.2f}")
        + _cell(_seconds(None if w.node is None else unavailable_s(load, w)))
        + f'<td class="name">{escape(w.note)}</td></tr>'
        for load in run.loads
        for w in load.faults
    ]  # fmt: skip


def _phases(run: StrategyRun) -> str:
    rows = []
    for name, phase in strategy_phases(run.loads).items():
        rate = phase.success_rate
        rows.append(
            f'<tr><td class="name">{name}</td>' + _cell(f"{phase.duration_s:.2f}")
            + _cell(f"{phase.operations:,}")
            + _cell("-" if phase.throughput_ops_s is None else per_second(phase.throughput_ops_s))
            + _cell("-" if rate is None else f"{rate:.1%}") + "</tr>"
        )  # fmt: skip
    head = ["phase", "seconds", "operations", "ok ops/s", "success rate"]
    return _table(head, rows)


def _lost_acknowledged(run: StrategyRun) -> str:
    """How many acknowledged writes the replicas lost; a strategy's caveat beside it."""
    caveat = CAVEATS.get(run.strategy)
    shown = f'<p class="note">{escape(caveat)}</p>' if caveat else ""
    readback = run.readback
    if readback is None:
        return "<p>The acknowledged writes were not read back.</p>" + shown
    lost = readback.lost_acknowledged_writes
    where = ", ".join(f"{run.label(name)}: {n:,}" for name, n in readback.by_server().items() if n)
    measured = (
        f"{readback.checked:,} acknowledged writes read back from every replica"
        f" ({', '.join(map(run.label, readback.servers)) or 'none answered'}): {lost:,} lost"
        + (f" (missing per replica: {where})" if where else "") + "."
    )  # fmt: skip
    css = ' class="bad"' if lost else ""
    return f"<p{css}>{escape(measured)}</p>" + shown


def _costs(run: StrategyRun, images: Mapping[str, Path]) -> str:
    """What the faults cost: the timeline, each fault, the phases, errors, writes lost."""
    timeline = images.get(timeline_name(run))
    figure = "" if timeline is None else _figure(
        timeline, "Successful (green) and failed (red) operations per 100 ms; fault windows"
        " shaded and labelled ACTION-TARGET → node; dashed lines: a new leader."
    )  # fmt: skip
    gaps = unavailability(run.loads)
    head = ["users", "fault", "node", "start s", "end s", "unavailable s", "note"]
    rows = _fault_rows(run)
    faults = _table(head, rows) if rows else "<p>No fault was struck.</p>"
    errors = ", ".join(f"{kind}: {n:,}" for kind, n in error_kinds(run.history).items())
    return (
        "<h3>Faults and what they cost</h3>" + figure + faults
        + f"<p>Unavailability (the longest gap without a successful operation that overlaps"
        f" a fault): p50 {_seconds(gaps.p50)} s, max {_seconds(gaps.max)} s.</p>"
        + _phases(run) + f"<p>Errors by kind: {escape(errors or 'none')}.</p>"
        + _lost_acknowledged(run)
    )  # fmt: skip


def _by_operation(run: StrategyRun) -> str:
    summaries = by_operation(run.history, run.summary().duration_s)
    rows = [
        f'<tr><td class="name">{escape(op)}</td>'
        + _cell(f"{s.operations:,}") + _cell(per_second(s.throughput_ops_s)) + _latency_cells(s)
        + _cell(f"{s.errors:,}", "bad" if s.errors else "") + _cell(share(s.errors, s.operations))
        + _cell(f"{s.refused:,}") + "</tr>"
        for op, s in summaries.items()
    ]  # fmt: skip
    head = ["operation", "count", "ops/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors",
            "error rate", "refused"]  # fmt: skip
    return "<h3>Per operation</h3>" + _table(head, rows)


def _compact(value: Any, limit: int = 140) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _operations(run: StrategyRun, operations: Sequence[Operation]) -> str:
    """Times from the run's start (`StrategyRun.start`); each server named with its address."""
    rows = [
        f"<tr><td>{(o.invoke - run.start) * 1000:,.3f}</td>"
        f"<td>{ms((o.complete - o.invoke) * 1000)}</td><td>{escape(o.process)}</td>"
        f"<td>{escape(run.label(o.server))}</td><td>{escape(o.op)}</td>"
        f"<td>{escape(_compact(o.args))}</td><td>{escape(o.outcome)}</td>"
        f"<td>{escape(_compact(o.result))}</td></tr>"
        for o in operations
    ]
    head = ["start ms", "took ms", "client", "server", "operation", "arguments", "outcome",
            "result"]  # fmt: skip
    return _table(head, rows, "ops")


def _drawings(run: StrategyRun, kind: str, images: Mapping[str, Path]) -> list[Path]:
    """The timelines of the run's first few examples of a kind, in their order."""
    names = (history_name(run.name, kind, n) for n in range(MAX_DRAWN))
    return [images[name] for name in names if name in images]


def _examples(
    run: StrategyRun, title: str, examples: Sequence[Example], drawings: Sequence[Path] = ()
) -> str:
    """The checkers' examples (a few of each kind), the first one unfolded; beside the
    first few, `drawings` of them."""
    caption = (
        "The operations as bars from invoke to reply: in conflict red, refused grey,"
        " outcome unknown hatched and open-ended."
    )
    shown = "".join(
        f"<details{' open' if i == 0 else ''}><summary>{escape(e.what)}</summary>"
        + (_figure(drawings[i], caption) if i < len(drawings) else "")
        + f"{_operations(run, e.operations)}</details>"
        for i, e in enumerate(examples)
    )
    return f"<h4>{escape(title)}</h4>{shown}" if shown else ""


def _convergence(run: StrategyRun) -> str:
    convergence = run.report.convergence
    if convergence is None:
        return ""
    if convergence.divergent:
        digests = ", ".join(
            f"{run.label(name)}: {state.digest[:12]}"
            for name, state in sorted(run.replicas.servers.items())
        )
        return (
            f'<p class="note">{convergence.divergent} of {convergence.replicas} replicas ended'
            f" with a state different from the majority's ({escape(digests)}).</p>"
        )
    if convergence.replicas == 1:
        return "<p>One replica: nothing to converge.</p>"
    took = convergence.time_to_converge
    when = "" if took is None else f" {took:.2f} s after the load stopped"
    return f"<p>All {convergence.replicas} replicas reached the same state{when}.</p>"


def _anomalies(run: StrategyRun, images: Mapping[str, Path]) -> str:
    report = run.report
    staleness = report.staleness
    lag = staleness.lag
    lag_text = "" if lag is None else (
        f"; they missed writes by p50 {ms(lag.p50 * 1000)} ms, p99 {ms(lag.p99 * 1000)} ms,"
        f" max {ms(lag.max * 1000)} ms"
    )  # fmt: skip
    summary = (
        f"<p>{report.linearizability.keys:,} client records checked for linearizability;"
        f" {staleness.reads:,} reads checked, {staleness.stale:,} stale"
        f" ({share(staleness.stale, staleness.reads)}){escape(lag_text)};"
        f" {report.stock.negative_reads:,} reads of negative stock;"
        f" {report.sessions.reads:,} reads checked in {report.sessions.sessions:,} sessions"
        f" (one client on one server); {report.updates.read_modify_writes:,}"
        " read-modify-writes checked.</p>"
    )
    sections = (
        _examples(
            run,
            "Not linearizable",
            report.linearizability.examples,
            _drawings(run, "linearizability", images),
        )
        + _examples(run, "Stock", report.stock.examples)
        + _examples(run, "Stale reads", staleness.examples, _drawings(run, "stale_reads", images))
        + _examples(run, "Read-your-writes", report.sessions.read_your_writes_examples)
        + _examples(run, "Monotonic reads", report.sessions.monotonic_read_examples)
        + _examples(run, "Lost updates", report.updates.examples)
    )
    return "<h3>Anomalies</h3>" + summary + _convergence(run) + (sections or "<p>None found.</p>")


def _broker(run: StrategyRun) -> str:
    """The MQTT broker that ran, as its node told it; "" when the cluster ran none."""
    text = broker_text(run.nodes)
    return "" if text is None else f" broker: {text};"


def _strategy(run: StrategyRun, images: Mapping[str, Path]) -> str:
    options = ", ".join(f"{k} = {v!r}" for k, v in run.shown_options().items()) or "none"
    notes = "".join(f'<p class="note">{escape(note)}</p>' for note in run.notes)
    return (
        f'<h2 id="{escape(run.name)}">{escape(run.name)}</h2>'
        f'<p class="meta">{len(run.servers)} server(s):'
        f' {escape(", ".join(map(run.label, run.servers)))};{escape(_broker(run))}'
        f" options: {escape(options)}</p>{notes}"
        + _curve(run) + _by_users(run) + _costs(run, images) + _by_operation(run)
        + _anomalies(run, images)
    )  # fmt: skip


def _verdict_item(verdict: Verdict, strategy: str) -> str:
    found = (
        f"<b>broke</b>: {escape('; '.join(verdict.broke))}"
        if verdict.broke
        else f"<b>held</b>: {escape('; '.join(verdict.held))}"
    )
    if verdict.broke and verdict.held:
        found += f"; held: {escape('; '.join(verdict.held))}"
    caveat = CAVEATS.get(strategy)
    lines = [found, *(escape(c) for c in verdict.cost)]
    lines += [escape(text) for text in (verdict.faults, caveat) if text]
    return f"<li><b>{escape(verdict.strategy)}</b><br>" + "<br>".join(lines) + "</li>"


def _verdict(comparison: Comparison) -> str:
    runs = comparison.runs
    if not runs:
        return ""
    found = verdicts(runs, comparison.plan.sweep)
    basis = (
        "capacity (the best throughput at a step within the bounds) and the first step's"
        " latencies" if comparison.plan.sweep is not None else "throughput and latencies"
    )  # fmt: skip
    return (
        f"<h2>Verdict</h2><p>What this run showed each strategy keeps and breaks, and its"
        f" {basis} against the best strategy of this run. {escape(spread_note(runs))}</p>"
        f"<ul>{''.join(map(_verdict_item, found, (run.strategy for run in runs)))}</ul>"
    )


def _failed(failed: Mapping[str, str]) -> str:
    if not failed:
        return ""
    items = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in failed.items())
    return f"<h2>Not measured</h2><ul>{items}</ul>"


def render(
    comparison: Comparison, images: Mapping[str, Path], environment: Mapping[str, Any]
) -> str:
    plan = comparison.plan
    faults = ", ".join(fault.name for fault in plan.faults) or "none"
    warning = generator_warning(comparison.runs, plan.processes)
    top = "" if warning is None else f'<p class="bad">{escape(warning)}</p>'
    headroom = headroom_note(comparison.runs, plan)
    top += "" if headroom is None else f'<p class="meta">{escape(headroom)}</p>'
    meta = (
        f"load: {load_model(plan)} · "
        f"users {', '.join(map(str, plan.users))} · {plan.duration} s of load per run ·"
        f" {plan.repeat} run(s) each ·"
        f" {plan.servers} servers requested · faults: {faults} · seed {plan.seed} ·"
        f" {environment['time']} · Python {environment['python']} on {environment['platform']},"
        f" {environment['cpu_count']} CPUs"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Strategies compared: {escape(plan.scenario)}</title><style>{STYLE}</style>"
        f"</head><body><h1>Replication strategies compared: scenario {escape(plan.scenario)}</h1>"
        f'<p class="meta">{escape(meta)}</p>' + top + _verdict(comparison)
        + _overview(comparison) + _plots(images)
        + "".join(_strategy(run, images) for run in comparison.runs)
        + _failed(comparison.failed)
        + "</body></html>\n"
    )  # fmt: skip


def write_report(
    comparison: Comparison, images: Mapping[str, Path], environment: Mapping[str, Any], path: Path
) -> None:
    path.write_text(render(comparison, images, environment), encoding="utf-8")
