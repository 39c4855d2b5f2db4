"""The load generator's ceiling on record: read when it is this machine's and scenario's,
ignored with a hint otherwise, and each load run's share of it in results.json, the
report and the terminal."""

import json
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from loadtests.compare import ceiling, summary_table
from loadtests.compare.ceiling import Ceiling, Missing
from loadtests.compare.headroom import headroom_note
from loadtests.compare.model import LoadRun
from loadtests.compare.report import render
from loadtests.compare.results import environment, results
from loadtests.history import Operation, Replicas, ReplicaState
from tests.loadtests.synthetic import comparison, strategy_run


def _entry(scenario: str = "mixed", **machine: Any) -> dict[str, Any]:
    return {
        "machine": ceiling.machine() | machine,
        "scenario": scenario,
        "measured": "2026-12-01",
        "closed": {"ops_s": 1000.0, "users": 16},
        "open": {"ops_s": 800.0, "users": 16, "rate": 900.0},
    }


def test_this_machines_ceiling_for_the_scenario_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ceiling.json"
    ceiling.record(path, _entry(hostname="elsewhere"))
    ceiling.record(path, _entry("crud"))
    ceiling.record(path, _entry())
    found = ceiling.read(path, "mixed")
    assert found == Ceiling({"closed": 1000.0, "open": 800.0}, "2026-12-01", "mixed", path)


def test_a_new_measurement_replaces_this_machines_entry_and_keeps_the_others(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ceiling.json"
    ceiling.record(path, _entry(hostname="elsewhere"))
    ceiling.record(path, _entry())
    ceiling.record(path, _entry() | {"closed": {"ops_s": 1500.0}})
    entries = json.loads(path.read_text())["ceilings"]
    assert [e["machine"]["hostname"] for e in entries] == ["elsewhere", socket.gethostname()]
    assert ceiling.read(path, "mixed") == Ceiling({"closed": 1500.0, "open": 800.0},
                                                  "2026-12-01", "mixed", path)  # fmt: skip


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        (None, "no such file"),
        ("{not json", "unreadable"),
        (json.dumps({"ceilings": [_entry(hostname="elsewhere")]}), "other machines only"),
        (json.dumps({"ceilings": [_entry(cpu_count=64)]}), "other machines only"),
        (json.dumps({"ceilings": [_entry("crud")]}), "scenario crud only"),
        (json.dumps({"ceilings": [_entry() | {"closed": {"ops_s": 0}}]}), "not a positive number"),
    ],
)
def test_a_ceiling_of_another_machine_or_scenario_is_ignored_with_a_hint(
    tmp_path: Path, written: str | None, reason: str
) -> None:
    path = tmp_path / "ceiling.json"
    if written is not None:
        path.write_text(written)
    found = ceiling.read(path, "mixed")
    assert isinstance(found, Missing)
    assert reason in found.reason
    assert "python -m benchmarks.generator_ceiling --scenario mixed" in found.hint
    assert str(path) in found.hint


def _load(count: int, seconds: float, rate: float | None = None) -> LoadRun:
    """`count` calls evenly over `seconds`, each answered in 1 ms."""
    step = seconds / count
    history = tuple(
        Operation("u1", "s1", "RetrieveProduct", {"ID": "p1"}, n * step, n * step + 0.001,
                  "ok", {"found": True, "data": {}})
        for n in range(count)
    )  # fmt: skip
    return LoadRun(16, history, (), rate=rate)


def _comparison(tmp_path: Path, known: Ceiling | Missing, processes: int = 1) -> Any:
    run = strategy_run("memory", [], Replicas({"s1": ReplicaState("d", {})}))
    run = replace(run, loads=(_load(1000, 2.0), _load(600, 2.0, rate=600.0)))
    found = comparison(tmp_path, run)
    plan = replace(found.plan, generator_ceiling=known, processes=processes)
    return replace(found, plan=plan)


def test_each_run_records_its_share_of_its_load_models_ceiling(tmp_path: Path) -> None:
    known = Ceiling({"closed": 1000.0, "open": 800.0}, "2026-12-01", "mixed", tmp_path / "c")
    # Calls over the history's span: from the first invoke to the last reply.
    closed_issued, open_issued = 1000 / (1.998 + 0.001), 600 / (599 / 300 + 0.001)
    for processes in (1, 2):
        document = results(_comparison(tmp_path, known, processes))["strategies"]["memory"]
        closed, opened = (load["generator"] for load in document["by_users"])
        assert closed["ceiling_ops_s"] == 1000.0
        assert closed["share_of_ceiling"] == pytest.approx(closed_issued / processes / 1000)
        assert opened["ceiling_ops_s"] == 800.0
        assert opened["share_of_ceiling"] == pytest.approx(open_issued / processes / 800)
        assert document["generator"]["share_of_ceiling"] == closed["share_of_ceiling"]


def test_the_report_and_the_terminal_say_how_far_below_the_ceiling_the_busiest_run_ran(
    tmp_path: Path,
) -> None:
    known = Ceiling({"closed": 1000.0, "open": 800.0}, "2026-12-01", "mixed", tmp_path / "c")
    found = _comparison(tmp_path, known)
    said = (
        "The busiest load run (memory with 16 users) ran at 50% of this machine's measured"
        " load generator ceiling (1,000 calls/s per Locust process, closed loop, measured"
        " 2026-12-01)."
    )
    assert said in summary_table(found)
    assert said.replace("'", "&#x27;") in render(found, {}, environment(found))
    assert results(found)["environment"]["generator_ceiling"]["ops_s"] == known.ops_s


def test_a_run_near_the_ceiling_is_said_to_measure_the_generator_too(tmp_path: Path) -> None:
    for ops_s, said in ((550.0, "at 91% of"), (1000.0, "at 50% of")):
        known = Ceiling({"closed": ops_s}, "2026-12-01", "mixed", tmp_path / "c")
        found = _comparison(tmp_path, known)
        note = headroom_note(found.runs, found.plan)
        assert note is not None and said in note
        assert ("--processes 2" in note) == (ops_s == 550.0)


def test_a_ceiling_without_the_runs_load_model_says_so(tmp_path: Path) -> None:
    found = _comparison(tmp_path, Ceiling({"open": 800.0}, "2026-12-01", "mixed", tmp_path / "c"))
    run = replace(found.runs[0], loads=found.runs[0].loads[:1])  # the closed-loop run only
    said = headroom_note([run], found.plan)
    assert said is not None and "has no closed loop figure" in said


def test_without_a_ceiling_on_record_one_line_says_how_to_measure_it(tmp_path: Path) -> None:
    known = ceiling.read(tmp_path / "none.json", "mixed")
    assert isinstance(known, Missing)
    found = _comparison(tmp_path, known)
    assert known.hint in summary_table(found)
    assert known.hint.replace("'", "&#x27;") in render(found, {}, environment(found))
    document = results(found)
    assert document["strategies"]["memory"]["by_users"][0]["generator"]["share_of_ceiling"] is None
    assert document["environment"]["generator_ceiling"]["missing"] == "no such file"
