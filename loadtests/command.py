"""`testbed compare`: its flags, mapped onto `loadtests.compare`'s `build_plan` and `compare`.

This module is a plugin of the `testbed` command (entry point `compare` of group
`testbed`, hook `testbed_commands`), so that core never imports the load tests. With
no arguments: every built-in strategy, the mixed scenario, 4 then 16 users for 10 s
each, 3 servers (fewer where a strategy allows fewer), no faults; a few minutes at
most. `--replay` runs an earlier comparison's plan again, rebuilt from the manifest
it wrote (`loadtests.compare.manifest`). The comparison itself is imported only when
the command runs (it brings matplotlib).
"""

import argparse
import sys
from pathlib import Path
from typing import Any

from core import registry
from core.hookspecs import hookimpl


@hookimpl
def testbed_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    add_parser(commands)


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
        "--strategies",
        metavar="A,B",
        help="comma-separated strategies (default: every built-in one); LABEL=STRATEGY runs "
        "a strategy again under a label of its own, with its own -o LABEL.KEY=VALUE",
    )
    parser.add_argument(
        "--scenario",
        metavar="NAME",
        help="crud, order-rush, read-your-writes, session or mixed (default mixed)",
    )
    parser.add_argument(
        "--users", metavar="N,N", help="user counts, one load run each (default 4,16)"
    )
    parser.add_argument(
        "--rate",
        metavar="OPS",
        help="open loop: calls per second of each load run, spread over its users and "
        "sent on a fixed schedule whatever the replies; latency counts from each call's "
        "due time (default: closed loop, each user sends when answered)",
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="open loop, per strategy: raise the rate step by step (--sweep-from, times "
        "--sweep-factor, at most --sweep-steps) until p99 passes --p99-bound, errors pass "
        "--error-bound or the load generator saturates; one user count (default 16)",
    )
    parser.add_argument(
        "--sweep-from", metavar="OPS", help="a sweep's first rate, calls/s (default 50)"
    )
    parser.add_argument(
        "--sweep-factor", metavar="F", help="each step's rate is the last one's times F (default 2)"
    )
    parser.add_argument(
        "--sweep-steps", metavar="N", help="at most N rates per strategy (default 6)"
    )
    parser.add_argument(
        "--p99-bound", metavar="MS", help="a sweep stops past this p99 latency (default 250)"
    )
    parser.add_argument(
        "--error-bound",
        metavar="SHARE",
        help="a sweep stops past this share of failed calls (default 5%%)",
    )
    parser.add_argument(
        "--repeat",
        metavar="N",
        help="load runs of each user count or rate; figures then carry their spread, and "
        "differences inside it are called ties (default 1)",
    )
    parser.add_argument(
        "--duration", metavar="TIME", help="load per user count: 30s, 2m, 1m30s (default 10s)"
    )
    parser.add_argument(
        "--servers", metavar="N", help="servers per cluster, capped per strategy (default 3)"
    )
    parser.add_argument(
        "--faults",
        metavar="F,F",
        help="ACTION-TARGET, comma-separated: actions kill, pause, restart, partition, flaky; "
        "targets leader, follower, server, broker or a node name (default none)",
    )
    parser.add_argument(
        "--fault-at", metavar="S", help="seconds into each load run (default: the middle)"
    )
    parser.add_argument(
        "--fault-for",
        metavar="S",
        help="seconds each fault lasts before it heals (default 3, or less so that "
        "every fault fits in the run: half its share of the run)",
    )
    parser.add_argument(
        "--call-timeout", metavar="S",
        help="seconds a load user waits for a reply before giving up on it (outcome unknown) "
        "and moving on (default 10; 1 with --faults, as a client that tries the next server)",
    )  # fmt: skip
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="directory (default results/compare-<time>)"
    )
    parser.add_argument(
        "--seed", metavar="N",
        help="the seed of every random choice: the workload and which node each fault "
        "strikes (default 1)",
    )  # fmt: skip
    parser.add_argument(
        "--replay", type=Path, metavar="PATH",
        help="run an earlier comparison's plan again, rebuilt from its manifest (its DIR, "
        "DIR/manifest.json or DIR/results.json); takes only --out, --generator-ceiling "
        "and -o for a secret the manifest masks",
    )  # fmt: skip
    parser.add_argument(
        "--settle-timeout", metavar="S", help="seconds replicas get to agree (default 10)"
    )
    parser.add_argument(
        "--processes", metavar="N", help="Locust processes per load run (default 1)"
    )
    parser.add_argument(
        "--generator-ceiling", type=Path, metavar="FILE",
        help="the load generator's ceiling on record, which the report compares each run"
        " with (default results/generator-ceiling.json; python -m"
        " benchmarks.generator_ceiling measures it)",
    )  # fmt: skip
    parser.add_argument(
        "-o", "--option", action="append", default=[], metavar="STRATEGY.KEY=VALUE",
        help="a run's option, by its strategy or its label, e.g. pysyncobj-raft.read=local "
        "(repeatable)",
    )  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from loadtests import compare

    try:
        recorded = None if args.replay is None else _recorded(args)
        given = vars(args) if recorded is None else _replayed(recorded, args)
        plan = compare.build_plan(given, registry.strategies(), registry.builtins())
    except compare.PlanError as error:
        print(f"testbed compare: {error}", file=sys.stderr)
        return 2
    try:  # now, not after minutes of load
        plan.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(
            f"testbed compare: cannot create --out {str(plan.out)!r}: {error.strerror}",
            file=sys.stderr,
        )
        return 2
    manifest = compare.manifest(plan, registry.strategies(), args.argv).to_dict()
    compare.write_manifest(manifest, plan.out)
    progress = compare.Progress()
    if recorded is not None:
        changed = compare.differences(recorded, manifest)
        progress.say(
            f"replaying {args.replay}"
            + (f"; it differs in {', '.join(changed)}" if changed else "")
        )
    progress.say(
        f"comparing {', '.join(plan.strategies)} on scenario {plan.scenario}: users "
        f"{','.join(map(str, plan.users))}, {plan.duration} s each, {compare.load_model(plan)}"
        + (f"; faults {', '.join(f.name for f in plan.faults)}" if plan.faults else "")
        + f"; results in {plan.out}"
    )
    comparison = compare.compare(plan, progress)
    outputs = compare.write_outputs(comparison, manifest)
    progress.say("done")
    print(compare.summary_table(comparison))
    for name, reason in comparison.failed.items():
        print(f"{name}: not measured: {reason}")
    print(f"\nreport: {outputs.report}\nresults: {outputs.results}")
    return 1 if comparison.failed else 0


def _recorded(args: argparse.Namespace) -> dict[str, Any]:
    """The manifest to replay; refused beside flags that would change its plan (a run
    with other values is a new comparison, not a replay: its own flags say so)."""
    from loadtests import compare

    flags = [*compare.DEFAULTS, "strategies", "sweep"]
    given = [
        f"--{name.replace('_', '-')}" for name in flags if getattr(args, name) not in (None, False)
    ]
    if given:
        raise compare.PlanError(
            f"--replay takes its plan from the manifest; leave out {', '.join(given)} "
            "(only --out, --generator-ceiling and -o for a masked secret go with it)"
        )
    return compare.read_manifest(args.replay)


def _replayed(recorded: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from loadtests import compare

    given = compare.plan_given(recorded, args.out, args.option)
    return given | {"generator_ceiling": args.generator_ceiling}
