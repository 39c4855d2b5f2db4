"""check_all runs every checker; counts() gives the numbers results.json shows."""

from loadtests.checkers import check_all
from loadtests.history import Replicas, ReplicaState
from tests.loadtests.support import call

PEN = {"name": "pen", "price": 2, "quantity": 5}


def test_one_anomaly_of_each_kind_is_counted_once() -> None:
    history = [
        call("CreateClient", "c1", 0, 1, {"name": "Ana"}),
        call("UpdateClient", "c1", 2, 3, {"name": "Bia"}),
        call("RetrieveClient", "c1", 3.2, 3.5, {"name": "Bia"}),
        # Stale, not linearizable, behind its session's own write and its earlier read;
        # the write derived from it (version 0 + 1) loses the update to Bia.
        call("RetrieveClient", "c1", 4, 5, {"name": "Ana"}),
        call("UpdateClient", "c1", 5.1, 5.9, {"name": "Ana", "writer": "p1", "version": 1}),
        call("CreateProduct", "p1", 0, 1, PEN),
        call("CreateOrder", "o1", 2, 4, {"products": [{"PID": "p1", "quantity": 4}]}),
        call("CreateOrder", "o2", 2, 4, {"products": [{"PID": "p1", "quantity": 4}]}, cid="c2"),
        call("CreateClient", "c9", 0, 1, {"name": 7}),  # acknowledged, though not a string
    ]
    replicas = Replicas(
        {"s1": ReplicaState("a", {"p1": 1}), "s2": ReplicaState("b", {"p1": 0})},
    )
    report = check_all(history, replicas)
    assert report.counts() == {
        "linearizability": 1,
        "stale_reads": 1,
        "oversold_units": 3,
        "lost_stock_units": 1,
        "divergent_replicas": 1,
        "input_disagreements": 1,
        "read_your_writes_violations": 1,
        "monotonic_read_violations": 1,
        "lost_updates": 1,
    }
    assert report.convergence is not None and not report.convergence.converged


def test_without_replica_states_convergence_is_not_judged() -> None:
    history = [call("CreateProduct", "p1", 0, 1, PEN), call("RetrieveProduct", "p1", 2, 3, PEN)]
    report = check_all(history)
    assert report.convergence is None
    assert report.counts() == {
        "linearizability": 0,
        "stale_reads": 0,
        "oversold_units": 0,
        "lost_stock_units": 0,
        "divergent_replicas": 0,
        "input_disagreements": 0,
        "read_your_writes_violations": 0,
        "monotonic_read_violations": 0,
        "lost_updates": 0,
    }
