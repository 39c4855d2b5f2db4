"""results.json and the numbers behind it agree with the history they come from."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from loadtests.compare.model import ANOMALIES
from loadtests.compare.results import write_results
from loadtests.compare.stats import is_error, is_refusal, summarize
from loadtests.history import Operation, Replicas, ReplicaState
from tests.loadtests.support import Shop, call
from tests.loadtests.synthetic import (
    comparison,
    order,
    setup_calls,
    shop_history,
    strategy_run,
)

PEN = {"name": "pen", "price": 2, "quantity": 5}


def _good() -> tuple[list[Operation], list[Operation], Shop]:
    """Two load runs on one shop: latencies 1..100 ms, then 2 ms each."""
    shop = Shop()
    calls = setup_calls()
    for n in range(98):
        calls.append([order(f"o{n}", 1), ("RetrieveProduct", {"ID": "p1"})][n % 2])
    first = shop_history(shop, calls, [float(ms) for ms in range(1, 101)], start=100.0)
    calls = [order("big", 5000), ("RetrieveClient", {"ID": "c1"}), order("o-last", 1)]
    second = shop_history(shop, calls, [2.0, 2.0, 2.0], start=200.0)
    return first, second, shop


def _broken() -> list[Operation]:
    return [
        call("CreateClient", "c1", 0, 1, {"name": "Ana"}),
        call("UpdateClient", "c1", 2, 3, {"name": "Bia"}),
        call("RetrieveClient", "c1", 4, 5, {"name": "Ana"}),
        call("CreateProduct", "p1", 0, 1, PEN),
        call("CreateOrder", "o1", 2, 4, {"products": [{"PID": "p1", "quantity": 4}]}),
        call("CreateOrder", "o2", 2, 4, {"products": [{"PID": "p1", "quantity": 4}]}, cid="c2"),
    ]


def test_summary_counts_percentiles_and_throughput_from_the_raw_floats() -> None:
    first, _, _ = _good()
    span = first[-1].complete - first[0].invoke
    summary = summarize(first, span)
    assert summary.operations == 100
    assert summary.throughput_ops_s == pytest.approx(100 / span)
    assert summary.latency_ms is not None
    latency = summary.latency_ms
    # Nearest rank over 1, 2, ..., 100 ms, to the HDR histogram's 3 significant digits.
    shown = (latency.p50, latency.p95, latency.p99, latency.max)
    assert shown == pytest.approx((50, 95, 99, 100), rel=1e-3)
    assert latency.max == pytest.approx(100)  # the maximum is exact
    assert summary.errors == summary.refused == 0


def test_refusals_are_not_errors_but_timeouts_503s_and_failed_reads_are() -> None:
    refused = call("CreateOrder", "o1", 0, 1, {"products": []}, error=409)
    unavailable = call("CreateClient", "c1", 0, 1, {"name": "A"}, error=503)
    timed_out = call("CreateClient", "c2", 0, 1, {"name": "A"}, error=-1, outcome="unknown")
    no_reply = {"found": False, "data": None, "description": "UNAVAILABLE"}
    failed_read = Operation("u", "s", "RetrieveClient", {"ID": "c1"}, 0, 1, "fail", no_reply)
    assert is_refusal(refused) and not is_error(refused)
    for operation in (unavailable, timed_out, failed_read):
        assert is_error(operation) and not is_refusal(operation)
    summary = summarize([refused, unavailable, timed_out, failed_read], 2.0)
    assert (summary.errors, summary.refused, summary.operations) == (3, 1, 4)


def test_results_json_agrees_with_the_history(tmp_path: Path) -> None:
    first, second, shop = _good()
    good = strategy_run("good", [(1, first), (4, second)], shop.replicas("s1", "s2"))
    replicas = Replicas({"s1": ReplicaState("a", {"p1": 1}), "s2": ReplicaState("b", {"p1": 0})})
    broken = strategy_run("broken", [(1, _broken())], replicas, consistency="eventual")
    path = tmp_path / "results.json"
    write_results(comparison(tmp_path, good, broken), path)
    document = json.loads(path.read_text())

    assert document["scenario"] == "mixed" and document["users"] == [1, 4]
    assert document["duration_s"] == 1.0
    environment = document["environment"]
    assert {"python", "platform", "cpu_count", "strategy_options", "seed", "faults", "time"} <= set(
        environment
    )
    assert environment["seed"] == 7 and environment["faults"] == []

    entry = document["strategies"]["good"]
    load_s = (first[-1].complete - first[0].invoke) + (second[-1].complete - second[0].invoke)
    assert entry["operations"] == len(first) + len(second) == 103
    assert entry["load_s"] == pytest.approx(load_s)
    assert entry["throughput_ops_s"] == pytest.approx(103 / load_s)
    assert set(entry["latency_ms"]) == {"p50", "p95", "p99", "max"}
    assert entry["latency_ms"]["max"] == pytest.approx(100)
    assert (entry["errors"], entry["refused"]) == (0, 1)  # the order for 5000 units
    assert entry["anomalies"] == dict.fromkeys((*ANOMALIES, "lost_writes"), 0)
    assert entry["converged"] is True
    assert [(u["users"], u["operations"]) for u in entry["by_users"]] == [(1, 100), (4, 3)]
    assert entry["by_users"][0]["latency_ms"]["p99"] == pytest.approx(99, rel=1e-3)
    by_op = entry["by_operation"]
    assert sum(op["operations"] for op in by_op.values()) == 103
    assert by_op["CreateOrder"]["operations"] == 51 and by_op["CreateOrder"]["refused"] == 1
    assert sum(op["throughput_ops_s"] for op in by_op.values()) == pytest.approx(103 / load_s)

    bad = document["strategies"]["broken"]
    assert bad["anomalies"] == {
        "linearizability": 1,
        "stale_reads": 1,
        "oversold_units": 3,
        "lost_stock_units": 1,
        "divergent_replicas": 1,
        "input_disagreements": 0,
        "read_your_writes_violations": 1,  # the stale read: its own session wrote Bia there
        "monotonic_read_violations": 0,
        "lost_updates": 0,
        "lost_writes": 1,  # the old name of lost_stock_units, kept for one release
    }
    assert bad["converged"] is False and bad["checks"]["divergent_servers"] == ["s2"]
    assert bad["consistency"] == "eventual"


def test_secret_options_are_masked(tmp_path: Path) -> None:
    first, _, shop = _good()
    run = strategy_run("good", [(1, first)], shop.replicas("s1"))
    run = replace(run, options={"password": "hunter2", "username": "", "qos": 1, "token": ""})
    path = tmp_path / "results.json"
    write_results(comparison(tmp_path, run), path)
    assert "hunter2" not in path.read_text()
    options = json.loads(path.read_text())["environment"]["strategy_options"]["good"]
    assert options == {"password": "***", "username": "", "qos": 1, "token": ""}
