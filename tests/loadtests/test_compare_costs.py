"""What a fault cost, computed from hand-made histories: unavailability, phases, errors."""

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from loadtests.compare import write_outputs
from loadtests.compare.availability import (
    Unavailability,
    phases,
    strategy_phases,
    unavailability,
    unavailable_s,
)
from loadtests.compare.failures import error_kinds
from loadtests.compare.model import FaultWindow, LeaderChange, LoadRun
from loadtests.compare.plots import save_plots
from loadtests.compare.readback import LostWrite, ReadBack
from loadtests.compare.results import write_results
from loadtests.compare.stats import summarize
from loadtests.history import Operation, Outcome, Replicas, ReplicaState
from tests.loadtests.support import call
from tests.loadtests.synthetic import comparison, strategy_run

KILL = FaultWindow("kill", "leader", "s1", 4.22, 5.22, "s1 killed, serving again")
ONE_REPLICA = Replicas({"s1": ReplicaState("d", {})})
NOT_STRUCK = FaultWindow("pause", "leader", None, 0.0, 0.0, "not struck: the run ended first")


def _steady(failing: range = range(0)) -> list[Operation]:
    """A call every 0.1 s from 0 to 9.9 s, each taking 50 ms; those in `failing` get a
    503 that changed nothing."""
    return [
        call("CreateClient", f"c{k}", k / 10, k / 10 + 0.05, {"name": "A"},
             error=503 if k in failing else 0)
        for k in range(100)
    ]  # fmt: skip


def _run(history: list[Operation], *faults: FaultWindow) -> LoadRun:
    return LoadRun(4, tuple(history), (), faults=faults, origin=0.0)


def test_an_outage_over_a_fault_window_is_its_unavailability() -> None:
    # Calls 40..64 (invoked 4.0 s to 6.4 s) fail: the last success before replies at
    # 3.95 s, the next at 6.55 s.
    load = _run(_steady(range(40, 65)), KILL)
    assert unavailable_s(load, KILL) == pytest.approx(2.6)
    found = unavailability([load])
    assert found.p50 == found.max == pytest.approx(2.6)


def test_a_fault_nobody_noticed_costs_the_time_between_two_replies() -> None:
    load = _run(_steady(), KILL)
    assert unavailable_s(load, KILL) == pytest.approx(0.1)
    assert unavailability([load]).max == pytest.approx(0.1)


def test_without_a_fault_struck_during_the_load_there_is_no_unavailability() -> None:
    late = FaultWindow("pause", "leader", "s2", 10.0, 10.3, "s2 paused, then resumed")
    assert unavailable_s(_run(_steady(), late), late) is None  # the last reply: 9.95 s
    assert unavailability([_run(_steady(), NOT_STRUCK, late)]) == Unavailability(None, None)
    assert unavailability([]) == Unavailability(None, None)


def test_the_phases_split_the_run_at_the_fault() -> None:
    found = phases(_run(_steady(range(40, 65)), KILL))
    before, during, after = found["before"], found["during"], found["after"]
    # Before: replies before 4.22 s (calls 0..41, 40 of them succeeded).
    assert (before.operations, before.succeeded) == (42, 40)
    assert before.duration_s == pytest.approx(4.22)
    assert before.throughput_ops_s == pytest.approx(40 / 4.22)
    assert before.success_rate == pytest.approx(40 / 42)
    # During: calls overlapping 4.22..5.22 s (42..52), all failed.
    assert (during.operations, during.succeeded, during.success_rate) == (11, 0, 0.0)
    assert during.duration_s == pytest.approx(1.0) and during.throughput_ops_s == 0.0
    # After: calls invoked after 5.22 s (53..99); the run's last reply is at 9.95 s.
    assert (after.operations, after.succeeded) == (47, 35)
    assert after.duration_s == pytest.approx(4.73)


def test_a_run_without_a_fault_is_all_before_and_the_phases_add_up() -> None:
    quiet = phases(_run(_steady(), NOT_STRUCK))
    assert quiet["before"].operations == 100 and quiet["before"].success_rate == 1.0
    assert quiet["during"].throughput_ops_s is None and quiet["during"].success_rate is None
    total = strategy_phases([_run(_steady(), NOT_STRUCK), _run(_steady(range(40, 65)), KILL)])
    assert total["before"].operations == 100 + 42
    assert total["during"].operations == 11


def _write(verdict: Outcome, error: int, trailer: str | None = None, **more: Any) -> Operation:
    result = {"error": error, "description": "", "outcome": trailer, **more}
    return Operation("u", "s1", "CreateClient", {"CID": "x", "data": {}}, 0, 1, verdict, result)


def _failed_read(**status: Any) -> Operation:
    result = {"found": False, "data": None, "description": "", **status}
    return Operation("u", "s1", "RetrieveClient", {"ID": "x"}, 0, 1, "fail", result)


def test_errors_are_counted_by_kind_from_their_fields() -> None:
    history = [
        _write("fail", 503, "none"),
        _write("fail", 503, "none"),
        _write("unknown", 503, "unknown"),
        _write("unknown", 500, "unknown"),
        _write("unknown", 503),  # a server that sent no trailer
        _write("unknown", -1, status="UNAVAILABLE"),
        _write("unknown", -1, status=None),  # stopped in flight
        _failed_read(status="UNAVAILABLE"),
        _failed_read(),  # a history from before the status was recorded
        _write("fail", 409, "refused"),  # a refusal: not an error
        _write("ok", 0, "done"),
    ]
    assert error_kinds(history) == {
        "503-none": 2,
        "503-unknown": 1,
        "500-unknown": 1,
        "503": 1,
        "no-reply-UNAVAILABLE": 1,
        "no-reply": 1,
        "read-UNAVAILABLE": 1,
        "read-no-reply": 1,
    }


def test_throughput_counts_successes_and_refusals_but_not_errors() -> None:
    history = [
        _write("ok", 0, "done"),
        _write("fail", 409, "refused"),
        _write("fail", 503, "none"),
        _write("unknown", -1, status="DEADLINE_EXCEEDED"),
    ]
    summary = summarize(history, 2.0)
    assert (summary.operations, summary.succeeded, summary.errors) == (4, 2, 2)
    assert summary.throughput_ops_s == 1.0


def test_results_json_lists_the_faults_and_what_they_cost(tmp_path: Path) -> None:
    run = strategy_run("raft", [(4, _steady(range(40, 65)))], ONE_REPLICA)
    load = replace(run.loads[0], faults=(KILL, NOT_STRUCK), origin=0.0)
    run = replace(run, loads=(load,))
    path = tmp_path / "results.json"
    write_results(comparison(tmp_path, run), path)
    document = json.loads(path.read_text())

    kill, pause = document["faults"]
    assert kill == {
        "strategy": "raft", "users": 4, "action": "kill", "target": "leader", "node": "s1",
        "start_s": 4.22, "end_s": 5.22, "note": "s1 killed, serving again",
        "unavailable_s": pytest.approx(2.6),
    }  # fmt: skip
    assert pause["node"] is None and pause["unavailable_s"] is None
    entry = document["strategies"]["raft"]
    assert entry["unavailability_s"] == {"p50": pytest.approx(2.6), "max": pytest.approx(2.6)}
    assert entry["lost_acknowledged_writes"] is None  # not read back from a cluster
    assert entry["phases"]["during"]["success_rate"] == 0.0
    assert entry["phases"]["before"]["throughput_ops_s"] == pytest.approx(40 / 4.22)
    assert entry["errors_by_kind"] == {"503": 25}  # hand-made replies carry no trailer
    assert entry["errors"] == 25 and entry["operations"] == 100
    assert entry["by_users"][0]["faults"][0]["unavailable_s"] == pytest.approx(2.6)


def test_the_timeline_is_drawn_per_strategy(tmp_path: Path) -> None:
    run = strategy_run("raft", [(4, _steady(range(40, 65))), (16, _steady())], ONE_REPLICA)
    loads = (
        replace(run.loads[0], faults=(KILL,), origin=0.0,
                leader_changes=(LeaderChange(0.2, "replicas", "s1"),
                                LeaderChange(5.9, "replicas", "s2"))),
        replace(run.loads[1], origin=0.0),
    )  # fmt: skip
    saved = save_plots([replace(run, loads=loads)], tmp_path)
    assert saved["timeline-raft"].read_bytes().startswith(b"\x89PNG")


def test_the_report_shows_what_the_fault_cost_and_that_memory_loses_its_state(
    tmp_path: Path,
) -> None:
    history = _steady(range(40, 65))
    run = strategy_run("memory", [(4, history)], ONE_REPLICA)
    kill = FaultWindow("kill", "s1", "s1", 4.22, 5.22, "s1 killed, serving again")
    lost = ReadBack(3, ("s1",), (LostWrite(history[0], "s1", None),))
    run = replace(run, loads=(replace(run.loads[0], faults=(kill,), origin=0.0),), readback=lost)
    page = write_outputs(comparison(tmp_path, run)).report.read_text()
    costs = page[page.index("<h3>Faults and what they cost</h3>") :]
    assert re.search(
        r'<td class="name">4</td><td class="name">kill-s1</td><td>s1</td><td>4.22</td>'
        r"<td>5.22</td><td>2.60</td>",
        costs,
    )
    assert "p50 2.60 s, max 2.60 s" in costs
    assert '<td class="name">during</td><td>1.00</td><td>11</td><td>0.0</td><td>0.0%</td>' in costs
    assert "Errors by kind: 503: 25." in costs
    assert "3 acknowledged writes read back from every replica (s1): 1 lost" in costs
    assert "a kill or restart of that server loses all of it" in costs
    assert 'alt="Successful (green) and failed (red) operations per 100 ms' in costs
