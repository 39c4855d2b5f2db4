"""`testbed compare --faults`: a Raft leader killed mid-run costs errors and time, not
consistency or acknowledged writes."""

import json
from pathlib import Path
from typing import Any

import pytest

from core.cli.main import main


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("faults")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)  # and a relative --out
        code = main([
            "compare", "--strategies", "memory,pysyncobj-raft", "--faults", "kill-leader",
            "--fault-for", "1", "--users", "4", "--duration", "4s", "--out", "out",
        ])  # fmt: skip
    assert code == 0
    document: dict[str, Any] = json.loads((directory / "out" / "results.json").read_text())
    assert all(
        not Path(name).is_absolute() and (directory / "out" / name).exists()
        for entry in document["strategies"].values()
        for run in entry["by_users"]
        for name in run["histories"]
    )
    return document


def test_the_leader_is_killed_mid_run_and_raft_stays_consistent(results: dict[str, Any]) -> None:
    raft = results["strategies"]["pysyncobj-raft"]
    (event,) = raft["by_users"][0]["faults"]
    assert (event["action"], event["target"]) == ("kill", "leader")
    assert event["node"] in raft["servers"] and "started again, serving" in event["note"]
    assert 1.0 <= event["start_s"] <= 3.0  # the middle of 4 s of load
    assert event["end_s"] >= event["start_s"] + 1.0  # killed for --fault-for
    assert raft["errors"] > 0  # calls sent to the dead server
    assert set(raft["anomalies"].values()) == {0}
    assert raft["converged"] is True
    assert results["environment"]["faults"] == ["kill-leader"]


def test_what_the_kill_cost_is_measured(results: dict[str, Any]) -> None:
    raft = results["strategies"]["pysyncobj-raft"]
    (event,) = raft["by_users"][0]["faults"]
    assert results["faults"] == [{"strategy": "pysyncobj-raft", "users": 4, **event}]
    assert event["unavailable_s"] is not None and event["unavailable_s"] > 0
    assert raft["unavailability_s"] == {
        "p50": event["unavailable_s"],
        "max": event["unavailable_s"],
    }
    assert raft["lost_acknowledged_writes"] == 0
    assert raft["checks"]["acknowledged_writes_read_back"] > 0
    phases = raft["phases"]
    assert phases["before"]["success_rate"] > phases["during"]["success_rate"]
    assert sum(raft["errors_by_kind"].values()) == raft["errors"]


def test_a_fault_that_does_not_apply_is_skipped_with_a_note(results: dict[str, Any]) -> None:
    memory = results["strategies"]["memory"]
    assert "kill-leader skipped: the nodes report no leader (roles: single)" in memory["notes"]
    assert memory["by_users"][0]["faults"] == []
    assert memory["errors"] == 0
    assert memory["unavailability_s"] == {"p50": None, "max": None}
    assert memory["lost_acknowledged_writes"] == 0
    assert memory["phases"]["before"]["success_rate"] == 1.0
    assert memory["phases"]["during"] == {
        "throughput_ops_s": None, "success_rate": None, "operations": 0, "succeeded": 0,
        "duration_s": 0.0,
    }  # fmt: skip
