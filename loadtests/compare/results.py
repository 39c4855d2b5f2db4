"""results.json: the comparison's numbers, for programs (schema in README.md).

The keys the issue fixes come first in each strategy's object (throughput_ops_s,
latency_ms, errors, operations, anomalies, converged); the load model, the
generator's CPU, the sweep's curve, the verdict with its figures' spread, what the
faults cost (unavailability_s, lost_acknowledged_writes, phases, errors_by_kind),
the breakdowns per load run and per operation, and the checkers' details follow.
The top level lists every fault of every load run ("faults").

Throughput is successful operations per second (`stats`: outcome "ok" or a
business refusal), everywhere. `unavailability_s` is null (p50 and max) when no
fault struck; a phase's throughput and success rate are null when the phase did
not happen (`availability`); `lost_acknowledged_writes` is null when the writes
were not read back (`readback`). `nodes` lists every node of the cluster, its name
and address apart; `broker` is what its broker node ran (`nodes.broker`), null when
it ran none.
"""

import importlib.metadata
import json
import os
import platform
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from loadtests.compare.availability import Phase, strategy_phases, unavailability, unavailable_s
from loadtests.compare.ceiling import Ceiling, Missing
from loadtests.compare.failures import error_kinds
from loadtests.compare.headroom import ceiling_ops_s, share_of_ceiling
from loadtests.compare.model import Comparison, FaultWindow, LoadRun, StrategyRun
from loadtests.compare.nodes import broker
from loadtests.compare.plan import Plan
from loadtests.compare.stats import Latency, Summary, by_operation
from loadtests.compare.sweep import Point
from loadtests.compare.verdict import Verdict, figures, verdicts


def _latency(latency: Latency | None) -> dict[str, float] | None:
    return None if latency is None else asdict(latency)


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        "throughput_ops_s": summary.throughput_ops_s,
        "latency_ms": _latency(summary.latency_ms),
        "errors": summary.errors,
        "operations": summary.operations,
        "refused": summary.refused,
        "load_s": summary.duration_s,
    }


def _fault(load: LoadRun, window: FaultWindow) -> dict[str, Any]:
    unavailable = None if window.node is None else unavailable_s(load, window)
    return {**asdict(window), "unavailable_s": unavailable}  # None: not struck, or too late


def _generator(load: LoadRun, plan: Plan) -> dict[str, Any]:
    reasons = load.saturation()
    return {
        "cpu_share": load.cpu.generator_share,
        "saturated": bool(reasons),
        "reasons": reasons,
        "process_cpu_shares": list(load.cpu.generator),
        "ceiling_ops_s": ceiling_ops_s(load, plan),
        "share_of_ceiling": share_of_ceiling(load, plan),
    }


def _load(load: LoadRun, plan: Plan) -> dict[str, Any]:
    summary = load.summary()
    return {
        "users": load.users,
        "load": {"model": load.model, "rate": load.rate},
        "repeat": load.repeat,
        **_summary(summary),
        "issued_ops_s": summary.issued_ops_s,
        "generator": _generator(load, plan),
        "nodes_cpu": dict(load.cpu.nodes),
        "faults": [_fault(load, window) for window in load.faults],
        "histories": [_relative(path, plan.out) for path in load.files],
    }


def _point(step: Point) -> dict[str, Any]:
    return {
        "offered_ops_s": step.offered_ops_s,
        "achieved_ops_s": step.achieved_ops_s,
        "latency_ms": None
        if step.latency_ms is None
        else {"p50": step.latency_ms.p50, "p99": step.latency_ms.p99},
        "errors": step.errors,
        "anomalies": dict(step.anomalies),
        "operations": step.operations,
        "issued_ops_s": step.issued_ops_s,
        "reads_checked": step.reads_checked,
        "generator_saturated": bool(step.saturation),
    }


def _anomalies(run: StrategyRun) -> dict[str, int]:
    """The checkers' counts; `lost_writes` is the old name of `lost_stock_units` (it
    counts stock units, not writes), kept beside it for one release (README.md)."""
    counts = dict(run.anomalies())
    return {**counts, "lost_writes": counts["lost_stock_units"]}


def _broker(run: StrategyRun) -> dict[str, str | None] | None:
    """What its broker node ran: {"kind": "mosquitto", "version": "2.0.11"}."""
    node = broker(run.nodes)
    return None if node is None or node.software is None else dict(node.software)


def _verdict(verdict: Verdict, run: StrategyRun, plan: Plan) -> dict[str, Any]:
    spreads = figures(run, plan.sweep)
    return {
        "held": list(verdict.held),
        "broke": list(verdict.broke),
        "cost": list(verdict.cost),
        "faults": verdict.faults,
        "figures": {
            name: {"mean": s.mean, "min": s.low, "max": s.high, "runs": list(s.values)}
            for name, s in spreads.items()
        },
    }


def _phase(phase: Phase) -> dict[str, Any]:
    return {
        "throughput_ops_s": phase.throughput_ops_s,
        "success_rate": phase.success_rate,
        "operations": phase.operations,
        "succeeded": phase.succeeded,
        "duration_s": phase.duration_s,
    }


def _costs(run: StrategyRun) -> dict[str, Any]:
    """What the faults cost: unavailability, acknowledged writes lost, phases, errors by kind."""
    readback = run.readback
    return {
        "unavailability_s": asdict(unavailability(run.loads)),
        "lost_acknowledged_writes": None if readback is None else readback.lost_acknowledged_writes,
        "phases": {name: _phase(phase) for name, phase in strategy_phases(run.loads).items()},
        "errors_by_kind": error_kinds(run.history),
    }


def faults(comparison: Comparison) -> list[dict[str, Any]]:
    """Every fault of every strategy's load runs, with the strategy and user count."""
    return [
        {"strategy": run.name, "users": load.users, **_fault(load, window)}
        for run in comparison.runs
        for load in run.loads
        for window in load.faults
    ]


def _relative(path: Path, out: Path) -> str:
    return str(path.relative_to(out)) if path.is_relative_to(out) else str(path)


def _checks(run: StrategyRun) -> dict[str, Any]:
    report = run.report
    lag = report.staleness.lag
    convergence = report.convergence
    readback = run.readback
    return {
        "reads_checked": report.staleness.reads,
        "stale_read_share": report.staleness.share,
        "staleness_lag_ms": None if lag is None else {k: v * 1000 for k, v in asdict(lag).items()},
        "unexplained_reads": report.staleness.unexplained,
        "negative_stock_reads": report.stock.negative_reads,
        "client_records_checked": report.linearizability.keys,
        "session_reads_checked": report.sessions.reads,
        "sessions_checked": report.sessions.sessions,
        "read_modify_writes_checked": report.updates.read_modify_writes,
        "inconclusive_records": list(report.linearizability.inconclusive),
        "lost_units_by_replica": dict(report.stock.lost_units_by_replica),
        "divergent_servers": [] if convergence is None else list(convergence.divergent_servers),
        "time_to_converge_s": None if convergence is None else convergence.time_to_converge,
        "acknowledged_writes_read_back": None if readback is None else readback.checked,
        "lost_acknowledged_by_server": None if readback is None else readback.by_server(),
    }


def strategy_results(run: StrategyRun, plan: Plan, verdict: Verdict) -> dict[str, Any]:
    summary = run.summary()
    convergence = run.report.convergence
    generators = [_generator(load, plan) for load in run.loads]
    shares = [g["share_of_ceiling"] for g in generators if g["share_of_ceiling"] is not None]
    return {
        "throughput_ops_s": summary.throughput_ops_s,
        "latency_ms": _latency(summary.latency_ms),
        "errors": summary.errors,
        "operations": summary.operations,
        "anomalies": _anomalies(run),
        "converged": convergence is not None and convergence.converged,
        "load": {"model": plan.model, "rate": plan.rate},
        "generator": {
            "cpu_share": max((g["cpu_share"] for g in generators), default=0.0),
            "saturated": any(g["saturated"] for g in generators),
            "share_of_ceiling": max(shares, default=None),
        },
        "curve": [_point(step) for step in run.curve],
        "verdict": _verdict(verdict, run, plan),
        **_costs(run),
        "strategy": run.strategy,
        "consistency": run.consistency,
        "servers": list(run.servers),
        "nodes": [asdict(node) for node in run.nodes],
        "broker": _broker(run),
        "refused": summary.refused,
        "load_s": summary.duration_s,
        "by_users": [_load(load, plan) for load in run.loads],
        "by_operation": {
            op: _summary(s) for op, s in by_operation(run.history, summary.duration_s).items()
        },
        "checks": _checks(run),
        "notes": list(run.notes),
    }


def _ceiling(known: Ceiling | Missing) -> dict[str, Any]:
    """The ceiling the runs were compared with, or why none was."""
    if isinstance(known, Missing):
        return {"path": str(known.path), "ops_s": None, "missing": known.reason}
    return {"path": str(known.path), "ops_s": dict(known.ops_s), "measured": known.measured}


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment(comparison: Comparison) -> dict[str, Any]:
    plan = comparison.plan
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "locust": _version("locust"),
        "testbed": _version("replication-testbed"),
        "strategy_options": {run.name: run.shown_options() for run in comparison.runs},
        "seed": plan.seed,
        "faults": [fault.name for fault in plan.faults],
        "fault_at_s": plan.fault_at,
        "fault_for_s": plan.fault_for,
        "call_timeout_s": plan.call_timeout,
        "servers_requested": plan.servers,
        "settle_timeout_s": plan.settle_timeout,
        "locust_processes": plan.processes,
        "generator_ceiling": _ceiling(plan.generator_ceiling),
        "time": comparison.started.isoformat(timespec="seconds"),
    }


def results(comparison: Comparison, manifest: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`manifest` (`loadtests.compare.manifest`): what fixed the plan; None outside a run."""
    plan = comparison.plan
    found = verdicts(comparison.runs, plan.sweep)
    return {
        "strategies": {
            run.name: strategy_results(run, plan, verdict)
            for run, verdict in zip(comparison.runs, found, strict=True)
        },
        "load": {
            "model": plan.model,
            "rate": plan.rate,
            "sweep": None if plan.sweep is None else asdict(plan.sweep),
            "repeat": plan.repeat,
        },
        "faults": faults(comparison),
        "scenario": plan.scenario,
        "users": list(plan.users),
        "duration_s": float(plan.duration),
        "environment": environment(comparison),
        "failed": dict(comparison.failed),
        "manifest": None if manifest is None else dict(manifest),
    }


def write_results(
    comparison: Comparison, path: Path, manifest: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    document = results(comparison, manifest)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return document
