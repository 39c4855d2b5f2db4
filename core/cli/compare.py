"""`testbed compare`: run the same Locust load on each strategy and report side by side.

With no arguments: every built-in strategy, the mixed scenario, 4 then 16 users
for 10 s each, 3 servers (fewer where a strategy allows fewer), no faults; a few
minutes at most. The comparison itself lives in loadtests.compare, imported only
when this command runs (it brings matplotlib).
"""

import argparse
import importlib.util
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core import registry

if TYPE_CHECKING:
    from loadtests.compare.plan import Plan

DEFAULTS = {
    "scenario": "mixed",
    "users": "4,16",
    "duration": "10s",
    "servers": "3",
    "faults": "none",
    "seed": "1",
    "settle_timeout": "10",
    "processes": "1",
}


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "compare",
        help="run the same load on each strategy; report throughput, latency and anomalies",
        description=(
            "For each strategy: start a fresh cluster, run a Locust scenario headless at each "
            "user count, check the recorded history for consistency anomalies, and write "
            "results.json, plots and report.html into --out."
        ),
    )
    parser.add_argument(
        "--strategies", metavar="A,B", help="comma-separated (default: every built-in one)"
    )
    parser.add_argument(
        "--scenario", metavar="NAME", help="crud, order-rush, read-your-writes or mixed"
    )
    parser.add_argument(
        "--users", metavar="N,N", help="user counts, one load run each (default 4,16)"
    )
    parser.add_argument(
        "--duration", metavar="TIME", help="load per user count: 30s, 2m, 1m30s (default 10s)"
    )
    parser.add_argument(
        "--servers", metavar="N", help="servers per cluster, capped per strategy (default 3)"
    )
    parser.add_argument(
        "--faults", metavar="F,F", help="none, kill-server, kill-leader, restart-server; or a,b"
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="directory (default results/compare-<time>)"
    )
    parser.add_argument(
        "--seed", metavar="N", help="scenario seed, for repeatable runs (default 1)"
    )
    parser.add_argument(
        "--settle-timeout", metavar="S", help="seconds replicas get to agree (default 10)"
    )
    parser.add_argument(
        "--processes", metavar="N", help="Locust processes per load run (default 1)"
    )
    parser.add_argument(
        "-o", "--option", action="append", default=[], metavar="STRATEGY.KEY=VALUE",
        help="a strategy's option, e.g. pysyncobj-raft.read=local (repeatable)",
    )  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from loadtests import compare

    try:
        plan = _plan(args)
    except compare.PlanError as error:
        print(f"testbed compare: {error}", file=sys.stderr)
        return 2
    progress = compare.Progress()
    progress.say(
        f"comparing {', '.join(plan.strategies)} on scenario {plan.scenario}: users "
        f"{','.join(map(str, plan.users))}, {plan.duration} s each; results in {plan.out}"
    )
    comparison = compare.compare(plan, progress)
    outputs = compare.write_outputs(comparison)
    progress.say("done")
    print(compare.summary_table(comparison.runs))
    for name, reason in comparison.failed.items():
        print(f"{name}: not measured: {reason}")
    print(f"\nreport: {outputs.report}\nresults: {outputs.results}")
    return 1 if comparison.failed else 0


def _plan(args: argparse.Namespace) -> "Plan":
    from loadtests.compare import faults
    from loadtests.compare import plan as p

    def given(name: str) -> str:
        value = getattr(args, name)
        return DEFAULTS[name] if value is None else str(value)

    known = registry.strategies()
    strategies = (
        tuple(registry.builtins())
        if args.strategies is None
        else p.parse_strategies(args.strategies, known)
    )
    options = p.parse_options(args.option, strategies)
    for name, given_options in options.items():
        try:
            known[name].resolve(given_options)
        except ValueError as error:
            raise p.PlanError(str(error)) from None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    plan = p.Plan(
        strategies=strategies,
        scenario=p.parse_scenario(given("scenario")),
        users=p.parse_users(given("users")),
        duration=p.parse_duration(given("duration")),
        servers=p.parse_count(given("servers"), "servers"),
        faults=faults.parse_faults(given("faults")),
        out=(args.out or Path("results") / f"compare-{stamp}").absolute(),
        seed=p.parse_count(given("seed"), "seed", minimum=0),
        settle_timeout=p.parse_seconds(given("settle_timeout"), "settle timeout"),
        options=options,
        processes=p.parse_count(given("processes"), "processes"),
    )
    if not p.locustfile(plan.scenario).exists():
        raise p.PlanError(
            f"the {plan.scenario} scenario is not installed: no {p.locustfile(plan.scenario)}"
        )
    if importlib.util.find_spec("locust") is None:
        raise p.PlanError("Locust is not installed: pip install 'locust>=2.40,<3'")
    return plan
