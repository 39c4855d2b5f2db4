"""`testbed compare --faults`: a Raft leader killed mid-run costs errors, not consistency."""

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
            "--users", "4", "--duration", "4s", "--out", "out",
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
    assert event["fault"] == "kill-leader" and event["server"] in raft["servers"]
    assert 1.0 <= event["at_s"] <= 3.0  # the middle of 4 s of load
    assert f"restarted {event['server']} after the load run" in raft["notes"]
    assert raft["errors"] > 0  # calls sent to the dead server
    assert set(raft["anomalies"].values()) == {0}
    assert raft["converged"] is True
    assert results["environment"]["faults"] == ["kill-leader"]


def test_a_fault_that_does_not_apply_is_skipped_with_a_note(results: dict[str, Any]) -> None:
    memory = results["strategies"]["memory"]
    assert "kill-leader skipped: it needs at least 2 servers, the cluster has 1" in memory["notes"]
    assert memory["by_users"][0]["faults"] == []
    assert memory["errors"] == 0
