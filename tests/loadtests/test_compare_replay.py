"""Repeatable comparisons: one seed fixes the workload and the faults' draws, every run
writes its manifest, and `--replay` runs the same plan again from it."""

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import pytest

from core import registry
from core.cli.main import main
from core.launcher import Cluster
from loadtests.compare import Plan, build_plan, manifest, plan_given
from loadtests.compare.faults import Fault, pick
from loadtests.compare.manifest import FORMAT, VOLATILE
from loadtests.compare.plan import PlanError
from loadtests.compare.seeds import derive, fault_draws, load_seed
from loadtests.history import read_history

MANIFEST_KEYS = {
    "format", "seed", "scenario", "model", "users", "rate", "sweep", "repeat", "duration_s",
    "servers_requested", "strategies", "faults", "fault_at_s", "fault_for_s", "schedule",
    "call_timeout_s", "settle_timeout_s", "processes", "versions", "argv", "time", "out",
}  # fmt: skip
VERSIONS = {
    "python", "replication-testbed", "locust", "grpcio", "pysyncobj", "paho-mqtt", "amqtt",
    "hdrhistogram", "psutil", "mosquitto",
}  # fmt: skip
FAULTY = {"strategies": "memory,pysyncobj-raft", "faults": "kill-server,pause-follower"}


def plan_of(tmp_path: Path, **given: Any) -> Plan:
    return build_plan(
        {"out": str(tmp_path / "out"), **given}, registry.strategies(), registry.builtins()
    )


def document(plan: Plan, argv: tuple[str, ...] = ()) -> dict[str, Any]:
    return manifest(plan, registry.strategies(), argv).to_dict()


def replanned(recorded: dict[str, Any], out: Path, options: tuple[str, ...] = ()) -> Plan:
    given = plan_given(json.loads(json.dumps(recorded)), out, list(options))
    return build_plan(given, registry.strategies(), registry.builtins())


def test_sub_seeds_are_stable_across_processes_and_differ_per_label() -> None:
    # A pinned value: hash() would change per process (PYTHONHASHSEED), and a changed
    # derivation would make every recorded manifest's seeds lie.
    assert derive(1, "load", 0) == load_seed(1, 0) == 146632815
    assert len({load_seed(seed, index) for seed in range(5) for index in range(5)}) == 25
    assert fault_draws(1, 0, 3) == fault_draws(1, 0, 3)
    assert fault_draws(1, 0, 3) != fault_draws(2, 0, 3) != fault_draws(1, 1, 3)
    assert all(0 <= draw < 1 for draw in fault_draws(7, 3, 50))


def test_the_same_seed_gives_the_same_plan_and_schedule(tmp_path: Path) -> None:
    one, two = plan_of(tmp_path, **FAULTY, repeat="2"), plan_of(tmp_path, **FAULTY, repeat="2")
    assert one == two
    first, second = document(one), document(two)
    assert first["schedule"] == second["schedule"]
    runs = first["schedule"]
    assert [(r["users"], r["repeat"]) for r in runs] == [(4, 0), (4, 1), (16, 0), (16, 1)]
    assert len({r["scenario_seed"] for r in runs}) == 4  # each run its own IDs
    kill = runs[0]["faults"][0]
    assert kill["fault"] == "kill-server" and kill["start_s"] == 1.25 and kill["span_s"] == 2.5
    assert kill["nodes"]["memory"] is None  # one server: the fault is skipped there
    assert kill["nodes"]["pysyncobj-raft"] in ("s2", "s3")
    follower = runs[0]["faults"][1]
    assert follower["nodes"] == {"memory": None, "pysyncobj-raft": None}  # the cluster's doing
    assert "not replayable" in follower["chosen"]


def test_another_seed_draws_another_workload_and_other_fault_choices(tmp_path: Path) -> None:
    runs = {seed: document(plan_of(tmp_path, **FAULTY, seed=seed))["schedule"] for seed in "12"}
    assert runs["1"] != runs["2"]
    for one, two in zip(runs["1"], runs["2"], strict=True):
        assert one["scenario_seed"] != two["scenario_seed"]
        assert [f["draw"] for f in one["faults"]] != [f["draw"] for f in two["faults"]]
        # What is not random stays: when each fault strikes and for how long.
        assert [(f["start_s"], f["span_s"]) for f in one["faults"]] == [
            (f["start_s"], f["span_s"]) for f in two["faults"]
        ]


@dataclass
class FakeNode:
    name: str
    running: bool = True


@dataclass
class FakeCluster:
    """The part of a cluster that `pick` reads for a `server` target."""

    servers: list[FakeNode]


def test_a_draw_picks_among_the_servers_that_run_in_the_cluster_order() -> None:
    cluster = FakeCluster([FakeNode(f"s{n}") for n in range(1, 5)])

    def struck(draw: float) -> str | None:
        node = pick(Fault("kill", "server"), cast(Cluster, cluster), draw)
        return None if node is None else node.name

    assert [struck(d) for d in (0.0, 0.34, 0.5, 0.99)] == ["s2", "s3", "s3", "s4"]
    cluster.servers[2].running = False  # s3 is down: the draw falls among s2 and s4
    assert [struck(d) for d in (0.0, 0.49, 0.5, 0.99)] == ["s2", "s2", "s4", "s4"]
    cluster.servers[1:] = []
    assert struck(0.5) is None


def test_the_manifest_holds_every_field_with_secrets_masked(tmp_path: Path) -> None:
    plan = plan_of(
        tmp_path, **FAULTY, option=["pysyncobj-raft.password=hunter2"], fault_for="1.5",
        rate="120", processes="2",
    )  # fmt: skip
    recorded = document(plan, ("compare", "--seed", "1"))
    assert set(recorded) == MANIFEST_KEYS
    assert recorded["format"] == FORMAT and recorded["argv"] == ["compare", "--seed", "1"]
    assert recorded["model"] == "open" and recorded["rate"] == 120.0
    assert (recorded["processes"], recorded["fault_for_s"]) == (2, 1.5)
    raft = recorded["strategies"]["pysyncobj-raft"]
    assert raft["options"] == {"password": "***"}
    assert raft["resolved_options"]["password"] == "***"
    assert raft["resolved_options"]["read"] == "linearizable"  # defaults filled in
    assert raft["servers"] == ["s1", "s2", "s3"]
    assert "hunter2" not in json.dumps(recorded)
    assert set(recorded["versions"]) == VERSIONS
    assert recorded["versions"]["locust"] and recorded["versions"]["grpcio"]
    assert recorded["schedule"][0]["faults"][0]["span_s"] == 1.5
    assert recorded["out"] == str(tmp_path / "out")


@pytest.mark.parametrize(
    "given",
    [
        {},
        {**FAULTY, "fault_at": "1.5", "fault_for": "0.5", "seed": "42", "repeat": "3"},
        {"strategies": "memory", "rate": "75.5", "users": "3,9", "call_timeout": "2.5"},
        {"strategies": "memory", "sweep": True, "sweep_from": "30", "sweep_factor": "1.5",
         "sweep_steps": "4", "p99_bound": "80", "error_bound": "2%", "scenario": "crud"},
        {"strategies": "pysyncobj-raft", "option": ["pysyncobj-raft.read=local"],
         "servers": "5", "settle_timeout": "3", "processes": "2", "duration": "1m"},
        {"strategies": "memory,twin=memory,local=pysyncobj-raft",
         "option": ["local.read=local"], "faults": "kill-server"},
    ],
)  # fmt: skip
def test_a_manifest_rebuilds_an_equal_plan(given: dict[str, Any], tmp_path: Path) -> None:
    plan = plan_of(tmp_path, **given)
    again = replanned(document(plan), tmp_path / "again")
    assert again.out == tmp_path / "again"
    assert replace(again, out=plan.out) == plan
    fresh, old = document(again), document(plan)
    assert {k: v for k, v in fresh.items() if k not in VOLATILE} == {
        k: v for k, v in old.items() if k not in VOLATILE
    }


def test_a_labelled_run_is_recorded_with_its_strategy(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, strategies="memory,local=pysyncobj-raft", option=["local.read=local"])
    recorded = document(plan)
    local = recorded["strategies"]["local"]
    assert local["strategy"] == "pysyncobj-raft" and local["options"] == {"read": "local"}
    assert recorded["strategies"]["memory"]["strategy"] == "memory"
    # A manifest from before labels names no strategy: each run is its strategy.
    for entry in recorded["strategies"].values():
        del entry["strategy"]
    with pytest.raises(PlanError, match="unknown strategy 'local'"):
        replanned(recorded, tmp_path)
    del recorded["strategies"]["local"]
    assert replanned(recorded, tmp_path / "out").strategies == ("memory",)


def test_a_masked_secret_is_given_again_and_nothing_else_is(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, **FAULTY, option=["pysyncobj-raft.password=hunter2"])
    recorded = document(plan)
    with pytest.raises(PlanError, match=r"masks pysyncobj-raft\.password .*-o pysyncobj-raft"):
        replanned(recorded, tmp_path)
    again = replanned(recorded, tmp_path / "out", ("pysyncobj-raft.password=hunter2",))
    assert again == plan
    with pytest.raises(PlanError, match=r"-o is only for .*not pysyncobj-raft\.read"):
        replanned(recorded, tmp_path, ("pysyncobj-raft.read=local",))


def test_a_malformed_manifest_is_refused_in_a_sentence(tmp_path: Path) -> None:
    recorded = document(plan_of(tmp_path))
    del recorded["users"]
    with pytest.raises(PlanError, match=r"the manifest is malformed .*'users'"):
        replanned(recorded, tmp_path)


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["compare", *argv]) == 2
    error = capsys.readouterr().err
    assert error.startswith("testbed compare: ") and error.count("\n") == 1
    return error


def test_replays_that_cannot_be_run_are_refused_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "gone" / "results.json"
    assert "no such file" in refused(["--replay", str(missing)], capsys)
    assert "holds no manifest.json or results.json" in refused(["--replay", str(tmp_path)], capsys)
    future = tmp_path / "manifest.json"
    future.write_text(json.dumps({**document(plan_of(tmp_path)), "format": FORMAT + 1}))
    error = refused(["--replay", str(future)], capsys)
    assert f"manifest format {FORMAT + 1} is not one this testbed reads" in error
    (tmp_path / "other.json").write_text("[1, 2]")
    assert "holds no manifest" in refused(["--replay", str(tmp_path / "other.json")], capsys)
    (tmp_path / "bad.json").write_text("{")
    assert "cannot be read as JSON" in refused(["--replay", str(tmp_path / "bad.json")], capsys)


def test_flags_that_would_change_the_plan_are_refused_beside_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error = refused(["--replay", str(tmp_path), "--seed", "2", "--sweep", "--users", "4"], capsys)
    assert "leave out --users, --seed, --sweep" in error
    assert not (tmp_path / "manifest.json").exists()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A short real comparison, then its replay from results.json."""
    base = tmp_path_factory.mktemp("replay")
    first, second = base / "first", base / "second"
    argv = ["compare", "--strategies", "memory", "--duration", "2s", "--users", "2",
            "--seed", "5", "--settle-timeout", "2", "--out", str(first)]  # fmt: skip
    assert main(argv) == 0
    assert main(["compare", "--replay", str(first / "results.json"), "--out", str(second)]) == 0
    return first, second


def test_a_run_writes_its_manifest_beside_and_inside_its_results(
    runs: tuple[Path, Path],
) -> None:
    first, _ = runs
    recorded = json.loads((first / "manifest.json").read_text())
    assert json.loads((first / "results.json").read_text())["manifest"] == recorded
    assert set(recorded) == MANIFEST_KEYS and recorded["argv"][:3] == [
        "compare",
        "--strategies",
        "memory",
    ]
    assert (recorded["seed"], recorded["duration_s"], recorded["users"]) == (5, 2, [2])


def test_the_replay_runs_the_same_plan_with_the_same_workload(runs: tuple[Path, Path]) -> None:
    first, second = runs
    old, new = (json.loads((run / "manifest.json").read_text()) for run in runs)
    assert new["argv"] == ["compare", "--replay", str(first / "results.json"), "--out", str(second)]
    assert {k: v for k, v in new.items() if k not in VOLATILE} == {
        k: v for k, v in old.items() if k not in VOLATILE
    }
    (planned,) = old["schedule"]
    prefix = f"r{planned['scenario_seed']}-"
    for run in runs:
        results = json.loads((run / "results.json").read_text())
        (load,) = results["strategies"]["memory"]["by_users"]
        history = [o for name in load["histories"] for o in read_history(run / name)]
        created = [o.args for o in history if o.op.startswith("Create")]
        assert created and all(
            any(str(value).startswith(prefix) for value in args.values()) for args in created
        )
