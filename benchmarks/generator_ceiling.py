"""The load generator's own ceiling: how many calls per second one Locust process can
issue and record when the server costs nothing.

A no-op server of both portals (`benchmarks.noop_server`: every RPC answered at once
with a fixed valid reply) runs in a process of its own, and the comparison's own load
generator drives it: `LocustProcess` (loadtests/compare/load.py) with the same
scenario locustfile, users, interceptor and history recording as `testbed compare`,
in one Locust process. Each step is one load run, measured as the comparison
measures it: from its recorded history (calls issued per second, HDR p50/p99 from
the due time under an open loop), with the CPU of the generator's process and of the
server sampled by `CpuWatch` from the run's first request.

- closed loop at a few user counts (default 4, 16, 64): each user sends when answered;
- open loop at 16 users (a sweep's), the offered rate stepped up (default from 200
  calls/s, times 1.5) until the calls issued fall short of the rate offered (below
  90%, the comparison's own saturation rule). Latency is not a stopping rule here: from
  each call's due time, it grows as soon as the generator falls behind its schedule,
  which is what the step measures.

Per mode it reports the best calls/s issued, with that step's generator CPU (share
of one core) and latencies; the best of each mode is the ceiling. The server's CPU is
shown too: far from a core, it was not what stopped the load. The ceilings are
written to results/generator-ceiling.json (`--ceiling FILE`), keyed by this
machine (host name, CPU count) and scenario, with the day; `testbed compare` reads
them and states how far below the ceiling each of its load runs ran.

Run from the repository root, on demand (it is not a test):

    .venv/bin/python -m benchmarks.generator_ceiling [--scenario mixed] [--duration 10]
        [--users 4,16,64] [--rate-from 200] [--rate-factor 1.5] [--rounds 1] [--json FILE]

On a machine others share, `--rounds 3` runs each step three times and keeps the best.

Progress goes to stderr, the table to stdout. One run on the project's 2-core
machine, mixed scenario, 10 s per step, `--rounds 2` (2026-12-01; other engineers'
tests kept the load average at 5 to 8 throughout):

    mode    users  offered  issued/s errors gen CPU srv CPU   p50 ms   p99 ms
    closed      4        -       730      0     60%     37%    2.967   29.407
    closed     16        -       650      0     60%     32%    5.375  269.055
    closed     64        -       552      0     49%     26%   12.111 1564.671
    open       16      200       200      0     30%     16%    3.323  119.551
    open       16      300       301      0     44%     27%    3.297   27.375
    open       16      450       448      0     48%     32%    2.539   41.951
    open       16      675       648      0     62%     41%  117.951 1520.639
    open       16    1,012       910      0     77%     50%  490.495 1488.895

    ceiling, closed loop: 730 calls/s (4 users; generator CPU 60%)
    ceiling, open loop: 910 calls/s (16 users, 1,012 offered; generator CPU 77%)

What it shows: one Locust process issues and records well under a thousand calls/s
here, so a comparison that reports 400 to 700 ops/s for a strategy ran at half its
generator's ceiling or more. The generator never had a core to itself (60-77% of one
at its best steps) and the no-op server took about 60% of what the generator did: on
2 shared cores the ceiling is what the generator got. More users did not raise it
(closed loop: 730 at 4 users, 552 at 64); the open loop fell behind its schedule long
before it stopped sending (p99 over 1 s from 675 calls/s). Two other runs that day,
one round each, gave 863 and 820 (closed) and 658 and 333 (open) calls/s: one round
on a busy machine is a poor ceiling, so `--rounds` keeps the best of several.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from benchmarks.noop_server import NoopServer, running
from loadtests.compare import ceiling
from loadtests.compare.cpu import SHORTFALL, CpuWatch
from loadtests.compare.load import LoadSpec, LocustProcess
from loadtests.compare.model import LoadRun
from loadtests.compare.plan import SWEEP_USERS, locustfile

TICK_S: Final = 0.25
MAX_STEPS: Final = 12


def log(message: str) -> None:
    print(f"[generator_ceiling] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Step:
    mode: str  # closed or open
    users: int
    rate: float | None  # offered calls/s (open loop)
    ops_s: float  # calls issued per second, whatever their outcome
    errors: int
    cpu_share: float  # the generator process's share of one core
    server_cpu_share: float
    p50_ms: float | None
    p99_ms: float | None

    def short(self) -> bool:
        """The open loop could not keep up: it issued too few of the calls offered."""
        return self.rate is not None and self.ops_s < SHORTFALL * self.rate


def measure(
    server: NoopServer, args: argparse.Namespace, users: int, rate: float | None, directory: Path
) -> Step:
    """One load run against the no-op server, timed from its first request as the
    comparison's runner times it."""
    spec = LoadSpec(
        locustfile=locustfile(args.scenario), strategy="noop", servers=[server.address],
        users=users, duration=args.duration, seed=args.seed, rate=rate,
    )  # fmt: skip
    label = f"users-{users}" + ("" if rate is None else f"-rate-{rate:g}")
    locust = LocustProcess(spec, directory / label)
    cpu = CpuWatch(locust.pid, lambda: [("noop", server.pid)])
    began: float | None = None
    try:
        while locust.running():
            counted = locust.stats()
            if began is None and counted is not None and counted.requests:
                began = time.monotonic() - counted.elapsed()
                cpu.begin()
            time.sleep(TICK_S)
    finally:
        used = cpu.finish()
    run = LoadRun(users, tuple(locust.history()), (), origin=began, rate=rate, cpu=used)
    summary = run.summary()
    latency = summary.latency_ms
    return Step(
        mode=run.model, users=users, rate=rate, ops_s=round(summary.issued_ops_s, 1),
        errors=summary.errors, cpu_share=round(used.generator_share, 3),
        server_cpu_share=round(used.nodes.get("noop", 0.0), 3),
        p50_ms=None if latency is None else round(latency.p50, 3),
        p99_ms=None if latency is None else round(latency.p99, 3),
    )  # fmt: skip


def _said(step: Step) -> Step:
    log(
        f"  {step.ops_s:,.0f} calls/s issued, generator CPU {step.cpu_share:.0%}, server CPU"
        f" {step.server_cpu_share:.0%}, p99 {step.p99_ms} ms"
    )
    return step


def best_round(
    server: NoopServer, args: argparse.Namespace, users: int, rate: float | None, work: Path
) -> Step:
    """The best of --rounds runs of one step: others' work on a shared machine only
    ever takes cores from the generator, so the best round is nearest its ceiling."""
    rounds = []
    for number in range(1, args.rounds + 1):
        offered = "closed loop" if rate is None else f"open loop at {rate:,.0f} calls/s"
        log(f"{users} users, {offered}, {args.duration} s (round {number}/{args.rounds})")
        rounds.append(_said(measure(server, args, users, rate, work / f"round-{number}")))
    return max(rounds, key=lambda step: step.ops_s)


def run_steps(args: argparse.Namespace) -> list[Step]:
    """The closed-loop user counts, then the open loop's rates until it falls short."""
    steps = []
    with running() as server, tempfile.TemporaryDirectory(prefix="ceiling-") as directory:
        work = Path(directory)
        for users in args.users:
            steps.append(best_round(server, args, users, None, work))
        rate = args.rate_from
        for _ in range(MAX_STEPS):
            step = best_round(server, args, args.open_users, rate, work)
            steps.append(step)
            if step.short():
                break
            rate = float(round(rate * args.rate_factor))
    return steps


def best(steps: Sequence[Step], mode: str) -> Step | None:
    return max((s for s in steps if s.mode == mode), key=lambda s: s.ops_s, default=None)


def entry(steps: Sequence[Step], scenario: str) -> dict[str, Any]:
    """The ceiling file's entry for this machine and scenario."""
    modes = {m: best(steps, m) for m in ceiling.MODELS}
    return {
        "machine": ceiling.machine(),
        "scenario": scenario,
        "measured": datetime.now(UTC).date().isoformat(),
        # Others' work on a shared machine takes cores from the generator: say how much.
        "load_average_1m": round(os.getloadavg()[0], 2),
        **{m: asdict(s) for m, s in modes.items() if s is not None},
    }


def table(steps: Sequence[Step]) -> str:
    header = (
        f"{'mode':<7} {'users':>5} {'offered':>8} {'issued/s':>9} {'errors':>6} "
        f"{'gen CPU':>7} {'srv CPU':>7} {'p50 ms':>8} {'p99 ms':>8}"
    )
    lines = [header, "-" * len(header)]
    for s in steps:
        offered = "-" if s.rate is None else f"{s.rate:,.0f}"
        lines.append(
            f"{s.mode:<7} {s.users:>5} {offered:>8} {s.ops_s:>9,.0f} {s.errors:>6} "
            f"{s.cpu_share:>7.0%} {s.server_cpu_share:>7.0%} {s.p50_ms!s:>8} {s.p99_ms!s:>8}"
        )
    lines.append("")
    for mode in ceiling.MODELS:
        top = best(steps, mode)
        if top is not None:
            lines.append(
                f"ceiling, {mode} loop: {top.ops_s:,.0f} calls/s ({top.users} users"
                + ("" if top.rate is None else f", {top.rate:,.0f} offered")
                + f"; generator CPU {top.cpu_share:.0%}; p50 {top.p50_ms} ms,"
                f" p99 {top.p99_ms} ms)"
            )
    return "\n".join(lines)


def _counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generator_ceiling",
        description="Measure one Locust process's ceiling against a server that does nothing.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--scenario", default="mixed", help="the comparison's scenario to run")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per step")
    parser.add_argument("--users", type=_counts, default=[4, 16, 64], help="closed loop's users")
    parser.add_argument("--open-users", type=int, default=int(SWEEP_USERS), help="open loop's")
    parser.add_argument("--rate-from", type=float, default=200.0, help="first rate, calls/s")
    parser.add_argument("--rate-factor", type=float, default=1.5, help="each rate's growth")
    parser.add_argument("--seed", type=int, default=1, help="scenario seed")
    parser.add_argument("--rounds", type=int, default=1, help="runs per step; the best counts")
    parser.add_argument(
        "--ceiling", type=Path, default=ceiling.DEFAULT_PATH, help="the file compare reads"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every step here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    steps = run_steps(args)
    print(table(steps))
    record = entry(steps, args.scenario)
    ceiling.record(args.ceiling, record)
    log(f"ceiling recorded in {args.ceiling}; load average now {record['load_average_1m']}")
    if args.json is not None:
        document = {"entry": record, "steps": [asdict(s) for s in steps]}
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        log(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
