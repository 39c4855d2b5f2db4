"""Comparisons built from hand-made histories, for the report and results tests.

`shop_history` runs calls through the real state machine one after another, with
latencies the test chooses, so every number a report shows can be computed by hand.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loadtests.checkers import check_all
from loadtests.compare import Comparison, LoadRun, Plan, StrategyRun
from loadtests.history import Operation, Replicas, outcome_of
from tests.loadtests.support import Shop

PEN = {"name": "pen", "price": 2, "quantity": 1000}


def shop_history(
    shop: Shop,
    calls: Sequence[tuple[str, dict[str, Any]]],
    latencies_ms: Sequence[float],
    start: float,
    gap: float = 0.001,
    server: str = "127.0.0.1:1",
) -> list[Operation]:
    """One client's calls in sequence: call i takes latencies_ms[i], then `gap` seconds pass."""
    history = []
    clock = start
    for (op, args), took in zip(calls, latencies_ms, strict=True):
        result = shop.answer(op, args)
        outcome = "ok" if "found" in result else outcome_of(result["error"])
        history.append(
            Operation("u1", server, op, args, clock, clock + took / 1000, outcome, result)
        )
        clock += took / 1000 + gap
    return history


def order(oid: str, quantity: int) -> tuple[str, dict[str, Any]]:
    data = {"products": [{"PID": "p1", "quantity": quantity}]}
    return "CreateOrder", {"OID": oid, "CID": "c1", "data": data}


def setup_calls() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("CreateClient", {"CID": "c1", "data": {"name": "Ana"}}),
        ("CreateProduct", {"PID": "p1", "data": PEN}),
    ]


def strategy_run(
    name: str,
    loads: Sequence[tuple[int, Sequence[Operation]]],
    replicas: Replicas,
    consistency: str = "linearizable",
) -> StrategyRun:
    runs = tuple(LoadRun(users, tuple(history), ()) for users, history in loads)
    history = tuple(o for run in runs for o in run.history)
    return StrategyRun(
        name=name,
        strategy=name,
        consistency=consistency,
        servers=tuple(replicas.servers),
        options={},
        loads=runs,
        history=history,
        replicas=replicas,
        report=check_all(history, replicas),
    )


def plan(out: Path, strategies: Sequence[str], users: Sequence[int] = (1, 4)) -> Plan:
    return Plan(
        strategies=tuple(strategies),
        scenario="mixed",
        users=tuple(users),
        duration=1,
        servers=2,
        faults=(),
        out=out,
        seed=7,
        settle_timeout=5.0,
    )


def comparison(out: Path, *runs: StrategyRun) -> Comparison:
    users = tuple(dict.fromkeys(load.users for run in runs for load in run.loads))
    return Comparison(
        plan(out, [run.name for run in runs], users),
        datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        runs,
        {},
    )
