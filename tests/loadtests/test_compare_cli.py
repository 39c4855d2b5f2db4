"""`testbed compare`'s arguments: parsed, defaulted, and refused in one clear line."""

import io
import itertools
from pathlib import Path

import pytest

from core import registry
from core.cli.main import main
from loadtests.compare import SCENARIOS, Progress, build_plan
from loadtests.compare.faults import Fault, FaultError, parse_faults
from loadtests.compare.load import Counted
from loadtests.compare.plan import (
    PlanError,
    locustfile,
    parse_duration,
    parse_options,
    parse_strategies,
    parse_users,
)
from loadtests.compare.schedule import Timing


@pytest.mark.parametrize(
    ("text", "seconds"), [("30", 30), ("30s", 30), ("2m", 120), ("1m30s", 90), ("1h", 3600)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10x", "1.5s", "s", "-3s", "0s"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(PlanError, match="duration"):
        parse_duration(text)


def test_users_and_options() -> None:
    assert parse_users("1,16,64") == (1, 16, 64)
    with pytest.raises(PlanError, match="at least 1"):
        parse_users("4,0")
    assert parse_options(["pysyncobj-raft.read=local"], ("pysyncobj-raft",)) == {
        "pysyncobj-raft": {"read": "local"}
    }
    with pytest.raises(PlanError, match="not being compared"):
        parse_options(["memory.x=1"], ("pysyncobj-raft",))


def test_a_strategy_runs_again_under_a_label_with_options_of_its_own(tmp_path: Path) -> None:
    known = registry.strategies()
    assert parse_strategies("memory, cached=pysyncobj-raft ,memory", known) == {
        "memory": "memory",
        "cached": "pysyncobj-raft",
    }
    plan = build_plan(
        {
            "strategies": "pysyncobj-raft,local=pysyncobj-raft",
            "option": ["local.read=local"],
            "out": str(tmp_path),
        },
        known,
        registry.builtins(),
    )
    assert plan.strategies == ("pysyncobj-raft", "local")
    assert [plan.strategy(name) for name in plan.strategies] == ["pysyncobj-raft"] * 2
    assert plan.options == {"local": {"read": "local"}}  # the unlabelled run keeps defaults


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Big=memory", "run label 'Big' in 'Big=memory' must be 1 to 40 lowercase"),
        ("=memory", "run label '' in '=memory' must be"),
        ("memory=pysyncobj-raft", "run label 'memory' in 'memory=pysyncobj-raft' is a strategy"),
        ("x=nope", "unknown strategy 'nope'; known strategies: "),
        ("x=memory,x=pysyncobj-raft", "run 'x' is named twice, for memory and pysyncobj-raft"),
        (" , ", "no strategy in ' , '"),
    ],
)
def test_bad_labels_are_refused_in_a_sentence(text: str, message: str) -> None:
    with pytest.raises(PlanError) as refused:
        parse_strategies(text, registry.strategies())
    assert str(refused.value).startswith(message)


def test_faults_are_action_dash_target_and_the_old_names_read_the_same_way() -> None:
    assert parse_faults("none") == ()
    assert parse_faults("kill-server,kill-leader,restart-server") == (
        Fault("kill", "server"),
        Fault("kill", "leader"),
        Fault("restart", "server"),
    )
    assert parse_faults("partition-leader, flaky-s2-x") == (
        Fault("partition", "leader"),
        Fault("flaky", "s2-x"),
    )
    for wrong in ("crash", "kill", "kill-", "explode-leader"):
        with pytest.raises(FaultError, match="ACTION-TARGET: actions kill, pause, restart"):
            parse_faults(wrong)


def test_every_scenario_has_its_locustfile() -> None:
    for scenario in SCENARIOS:
        assert locustfile(scenario).is_file(), scenario


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--strategies", "memory,nope"], "unknown strategy 'nope'; known strategies: {known}"),
        (["--duration", "10x"], "duration '10x' is not like 30s, 2m or 1m30s"),
        (
            ["--scenario", "rush"],
            "unknown scenario 'rush'; the scenarios are: crud, order-rush, read-your-writes,"
            " session, mixed",
        ),
        (["--users", "4,a"], "users '4,a' must be whole numbers separated by commas"),
        (["--servers", "0"], "servers must be at least 1, not 0"),
        (["--faults", "explode-leader"], "fault 'explode-leader' must be ACTION-TARGET"),
        (["--call-timeout", "0"], "call-timeout must be more than 0 seconds"),
        (["-o", "memory.nope=1"], "strategy 'memory' has no option 'nope'"),
        (
            [
                "--strategies",
                "pysyncobj-raft-partitioned",
                "-o",
                "pysyncobj-raft-partitioned.cache_size=-1",
            ],
            "option cache_size must be 0 (off) or more, not -1",
        ),
        (
            ["--strategies", "memory,twin=memory", "-o", "twin.nope=1"],
            "strategy 'memory' has no option 'nope'",
        ),
    ],
)
def test_bad_arguments_get_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["compare", "--out", str(tmp_path / "out"), *argv]) == 2
    error = capsys.readouterr().err
    known = ", ".join(sorted(registry.strategies()))
    assert error.startswith(f"testbed compare: {message.format(known=known)}")
    assert error.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_progress_redraws_on_a_terminal_and_prints_lines_in_a_log() -> None:
    terminal, log = io.StringIO(), io.StringIO()
    for stream, live in ((terminal, True), (log, False)):
        progress = Progress(stream, live=live)
        progress.load("memory", 4, None, 10, None)
        progress.load("memory", 4, 1.0, 10, Counted(120, 120.0))
        progress.load("memory", 4, 2.0, 10, Counted(250, 125.0))
        progress.say("memory: load stopped")
    assert terminal.getvalue().count("\r\x1b[K") == 4
    assert "memory · 4 users [####................]  2.0/10 s · 250 ops (125.0/s)" in (
        terminal.getvalue()
    )
    lines = log.getvalue().splitlines()
    assert len(lines) == 2 and "starting Locust" in lines[0]
    assert lines[1].endswith("memory: load stopped")


def test_faults_are_laid_out_one_after_another_inside_the_run() -> None:
    assert Timing(duration=10, at=None, given_span=3).starts(1) == [5.0]  # the middle
    three = Timing(duration=12, at=None, given_span=3).starts(3)
    assert three == [0.5, 4.5, 8.5]
    assert all(later >= earlier + 3 for earlier, later in itertools.pairwise(three))
    assert Timing(duration=10, at=2, given_span=3).starts(2) == [2, 6]
    assert Timing(duration=10, at=None, given_span=3).starts(0) == []  # every fault skipped


def test_without_fault_for_each_fault_lasts_3_s_or_half_its_share_of_the_run() -> None:
    assert Timing(duration=30, at=None, given_span=None).span(3) == 3.0
    assert Timing(duration=9, at=None, given_span=None).span(3) == 1.5
    assert Timing(duration=9, at=None, given_span=2.5).span(3) == 2.5


def test_users_give_up_on_a_call_sooner_when_faults_are_struck(tmp_path: Path) -> None:
    def plan(**given: object) -> float:
        values = {"strategies": "memory", "out": str(tmp_path), **given}
        return build_plan(values, registry.strategies(), registry.builtins()).call_timeout

    assert plan() == 10.0
    assert plan(faults="pause-leader") == 1.0  # not stuck on a paused node for the whole fault
    assert plan(faults="pause-leader", call_timeout="4") == 4.0
