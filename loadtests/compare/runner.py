"""The comparison: for each strategy a fresh cluster, a load run per user count, checks.

Per strategy: start its cluster (the requested servers, capped by what it
allows), run Locust once per user count (--repeat times each; a sweep: once per
offered rate, until a bound breaks) with faults struck mid-run and the CPU of the
generator and of every node watched, restart what is down, let the replicas
settle and read their states, read every acknowledged write back from every
replica, stop the cluster, then run every checker over the whole history. A
strategy that cannot be measured (its cluster does not start, Locust fails) is
recorded and skipped.
"""

import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from core import network, registry
from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster, LaunchError
from core.strategy import StrategyDescriptor
from core.topology import Probe
from loadtests.checkers import check_all
from loadtests.compare import faults, seeds, sweep
from loadtests.compare.cpu import CpuWatch
from loadtests.compare.faults import Fault
from loadtests.compare.load import LoadError, LoadSpec, LocustProcess
from loadtests.compare.model import Comparison, LoadRun, StrategyRun
from loadtests.compare.nodes import recorded
from loadtests.compare.plan import Plan, locustfile
from loadtests.compare.progress import Progress
from loadtests.compare.readback import read_back
from loadtests.compare.replicas import collect
from loadtests.compare.schedule import LeaderWatch, Striker, Timing

TICK_S = 0.25


def compare(plan: Plan, progress: Progress) -> Comparison:
    started = datetime.now(UTC)
    runs, failed = [], {}
    for number, name in enumerate(plan.strategies, start=1):
        progress.say(f"{name} ({number}/{len(plan.strategies)})")
        try:
            runs.append(run_strategy(plan, name, registry.get(plan.strategy(name)), progress))
        except (LaunchError, LoadError, OSError) as error:
            failed[name] = str(error)
            progress.say(f"{name}: not measured: {str(error).splitlines()[0]}")
    return Comparison(plan, started, tuple(runs), failed)


def _config(plan: Plan, name: str, descriptor: StrategyDescriptor) -> ClusterConfig:
    count = descriptor.topology.servers(plan.servers)
    return ClusterConfig(
        strategy=descriptor.name,
        options=dict(plan.options.get(name, {})),
        nodes=tuple(NodeConfig(f"s{n}", port=0) for n in range(1, count + 1)),
    )


def run_strategy(
    plan: Plan, name: str, descriptor: StrategyDescriptor, progress: Progress
) -> StrategyRun:
    """The run `name` of the plan (a strategy's name, or a label) on `descriptor`'s strategy."""
    config = _config(plan, name, descriptor)
    notes: list[str] = []

    def note(*texts: str | None) -> None:
        for text in texts:
            if text is not None:
                notes.append(text)
                progress.say(f"{name}: {text}")

    if len(config.servers) < plan.servers:
        note(
            f"runs at most {len(config.servers)} server(s): "
            f"ran {len(config.servers)} of the {plan.servers} requested"
        )
    directory = plan.out / name
    distinct = faults.needs_distinct_addresses(plan.faults) and network.available() is None
    with ExitStack() as stack:
        # The firewall opens first: it sweeps what a crashed run left behind.
        firewall = stack.enter_context(network.Firewall()) if distinct else None
        cluster = stack.enter_context(
            Cluster(config, workdir=directory / "cluster", distinct_addresses=distinct)
        )
        progress.say(f"{name}: {len(cluster.nodes)} node(s) up")
        nodes = recorded(cluster.describe()["nodes"])
        reasons = {fault: faults.skip_reason(fault, cluster) for fault in plan.faults}
        note(*reasons.values())
        strike = tuple(fault for fault, reason in reasons.items() if reason is None)
        loads: list[LoadRun] = []
        ended: list[float] = []  # when each load run stopped, before recovery

        def load(users: int, rate: float | None, repeat: int) -> LoadRun:
            done = _load(
                plan, cluster, (users, rate, repeat, len(loads)), (strike, firewall),
                directory, progress,
            )  # fmt: skip
            loads.append(done)
            ended.append(time.monotonic())
            note(*faults.recover(cluster))
            return done

        note(_run_loads(plan, load))
        stopped = ended[-1]
        history = tuple(o for load in loads for o in load.history)
        progress.say(f"{name}: load stopped; waiting for the replicas to agree")
        # Every node that holds a replica and answers the control service.
        holders = {
            node.name: (node.address, node.group)
            for node in cluster.nodes
            if node.group is not None and node.kind.probe is Probe.CONTROL
        }
        replicas, unread = collect(holders, history, plan.settle_timeout, stopped)
        note(*unread)
        # Read back while the cluster still runs: it stops when this block ends.
        progress.say(f"{name}: reading back the acknowledged writes")
        stateful = {s.name: s.address for s in cluster.servers if s.group is not None}
        readback = read_back(stateful, history)
        note(*readback.notes)
    progress.say(f"{name}: checking {len(history):,} operations")
    report = check_all(history, replicas, settle_timeout=plan.settle_timeout)
    curve = () if plan.sweep is None else tuple(sweep.curve(loads))
    return StrategyRun(
        name=name,
        strategy=descriptor.name,
        consistency=descriptor.consistency,
        servers=tuple(server.name for server in config.servers),
        options=descriptor.resolve(config.options),
        loads=tuple(loads),
        history=history,
        replicas=replicas,
        report=report,
        notes=tuple(notes),
        readback=readback,
        curve=curve,
        nodes=nodes,
    )


def _run_loads(plan: Plan, load: Callable[[int, float | None, int], LoadRun]) -> str | None:
    """Every load run of the plan, through `load(users, rate, repeat)`; a sweep stops at
    the first rate that breaks a bound (the reason is returned)."""
    for step in plan.load_steps():
        runs = [load(*which) for which in step]
        if plan.sweep is not None:
            reason = sweep.stop_reason(sweep.point(runs), plan.sweep)
            if reason is not None:
                return f"the sweep stopped: {reason}"
    if plan.sweep is None:
        return None
    return f"the sweep stopped after its {plan.sweep.steps} steps, every bound kept"


def _label(users: int, rate: float | None, repeat: int, plan: Plan) -> str:
    """The run's directory: users-16, users-16-rate-200, users-16-run-2."""
    paced = "" if rate is None else f"-rate-{rate:g}"
    return f"users-{users}{paced}" + (f"-run-{repeat + 1}" if plan.repeat > 1 else "")


def _load(
    plan: Plan,
    cluster: Cluster,
    which: tuple[int, float | None, int, int],
    faulting: tuple[tuple[Fault, ...], network.Firewall | None],
    directory: Path,
    progress: Progress,
) -> LoadRun:
    """One Locust run: `which` is (users, offered rate or None, repeat, its index)."""
    users, rate, repeat, index = which
    spec = LoadSpec(
        locustfile=locustfile(plan.scenario),
        strategy=cluster.config.strategy,
        servers=cluster.addresses(),
        users=users,
        duration=plan.duration,
        seed=seeds.load_seed(plan.seed, index),  # each run its own records: no ID clashes
        processes=plan.processes,
        call_timeout=plan.call_timeout,
        rate=rate,
    )
    launched = time.monotonic()
    locust = LocustProcess(spec, directory / _label(users, rate, repeat, plan))
    # Faults are timed from the load's first request: starting Locust and the
    # scenario's setup come before it.
    planned, firewall = faulting
    # Each fault keeps its draw when others are skipped: the same as on other strategies.
    every = seeds.fault_draws(plan.seed, index, len(plan.faults))
    draws = tuple(d for fault, d in zip(plan.faults, every, strict=True) if fault in planned)
    timing = Timing(plan.duration, plan.fault_at, given_span=plan.fault_for)
    striker = Striker(
        cluster, planned, draws, timing, firewall,
        lambda text: progress.say(f"{spec.strategy}: {text}"),
    )  # fmt: skip
    watch = LeaderWatch(cluster)
    cpu = CpuWatch(locust.pid, lambda: [(node.name, node.pid) for node in cluster.nodes])
    began: float | None = None
    try:
        while locust.running():
            counted = locust.stats()
            if began is None and counted is not None and counted.requests:
                began = time.monotonic() - counted.elapsed()
                striker.begin(began, plan.duration - (began - launched))
                watch.begin(began)
                cpu.begin()
            elapsed = None if began is None else time.monotonic() - began
            progress.load(spec.strategy, users, elapsed, plan.duration, counted)
            time.sleep(TICK_S)
    finally:
        windows, changes, used = striker.finish(), watch.finish(), cpu.finish()
    history = locust.history()
    paced = "" if rate is None else f" at {rate:,.0f} calls/s"
    progress.say(f"{spec.strategy}: {users} users{paced}: {len(history):,} operations recorded")
    done = LoadRun(
        users, tuple(history), tuple(locust.files()), tuple(windows), tuple(changes), began,
        rate=rate, repeat=repeat, cpu=used,
    )  # fmt: skip
    for reason in done.saturation():
        progress.say(f"{spec.strategy}: the load generator set the pace: {reason}")
    return done
