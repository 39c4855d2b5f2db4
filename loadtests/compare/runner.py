"""The comparison: for each strategy a fresh cluster, a load run per user count, checks.

Per strategy: start its cluster (the requested servers, capped by what it
allows), run Locust once per user count with faults struck mid-run, restart
what is down, let the replicas settle and read their states, read every
acknowledged write back from every replica, stop the cluster, then run every
checker over the whole history. A strategy that cannot be measured (its
cluster does not start, Locust fails) is recorded and skipped.
"""

import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from core import network, registry
from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster, LaunchError
from core.strategy import StrategyDescriptor
from core.topology import Probe
from loadtests.checkers import check_all
from loadtests.compare import faults
from loadtests.compare.faults import Fault
from loadtests.compare.load import LoadError, LoadSpec, LocustProcess
from loadtests.compare.model import Comparison, LoadRun, StrategyRun
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
            runs.append(run_strategy(plan, registry.get(name), progress))
        except (LaunchError, LoadError, OSError) as error:
            failed[name] = str(error)
            progress.say(f"{name}: not measured: {str(error).splitlines()[0]}")
    return Comparison(plan, started, tuple(runs), failed)


def _config(plan: Plan, descriptor: StrategyDescriptor) -> ClusterConfig:
    count = descriptor.topology.servers(plan.servers)
    return ClusterConfig(
        strategy=descriptor.name,
        options=dict(plan.options.get(descriptor.name, {})),
        nodes=tuple(NodeConfig(f"s{n}", port=0) for n in range(1, count + 1)),
    )


def run_strategy(plan: Plan, descriptor: StrategyDescriptor, progress: Progress) -> StrategyRun:
    config = _config(plan, descriptor)
    notes: list[str] = []

    def note(*texts: str | None) -> None:
        for text in texts:
            if text is not None:
                notes.append(text)
                progress.say(f"{descriptor.name}: {text}")

    if len(config.servers) < plan.servers:
        note(
            f"runs at most {len(config.servers)} server(s): "
            f"ran {len(config.servers)} of the {plan.servers} requested"
        )
    directory = plan.out / descriptor.name
    distinct = faults.needs_distinct_addresses(plan.faults) and network.available() is None
    with ExitStack() as stack:
        # The firewall opens first: it sweeps what a crashed run left behind.
        firewall = stack.enter_context(network.Firewall()) if distinct else None
        cluster = stack.enter_context(
            Cluster(config, workdir=directory / "cluster", distinct_addresses=distinct)
        )
        progress.say(f"{descriptor.name}: {len(cluster.nodes)} node(s) up")
        reasons = {fault: faults.skip_reason(fault, cluster) for fault in plan.faults}
        note(*reasons.values())
        strike = tuple(fault for fault, reason in reasons.items() if reason is None)
        loads = []
        for index, users in enumerate(plan.users):
            loads.append(
                _load(plan, cluster, users, index, (strike, firewall), directory, progress)
            )
            stopped = time.monotonic()
            note(*faults.recover(cluster))
        history = tuple(o for load in loads for o in load.history)
        progress.say(f"{descriptor.name}: load stopped; waiting for the replicas to agree")
        # Every node that holds a replica and answers the control service.
        holders = {
            node.name: (node.address, node.group)
            for node in cluster.nodes
            if node.group is not None and node.kind.probe is Probe.CONTROL
        }
        replicas, unread = collect(holders, history, plan.settle_timeout, stopped)
        note(*unread)
        # Read back while the cluster still runs: it stops when this block ends.
        progress.say(f"{descriptor.name}: reading back the acknowledged writes")
        stateful = {s.name: s.address for s in cluster.servers if s.group is not None}
        readback = read_back(stateful, history)
        note(*readback.notes)
    progress.say(f"{descriptor.name}: checking {len(history):,} operations")
    report = check_all(history, replicas, settle_timeout=plan.settle_timeout)
    return StrategyRun(
        name=descriptor.name,
        consistency=descriptor.consistency,
        servers=tuple(server.name for server in config.servers),
        options=descriptor.resolve(config.options),
        loads=tuple(loads),
        history=history,
        replicas=replicas,
        report=report,
        notes=tuple(notes),
        readback=readback,
    )


def _load(
    plan: Plan,
    cluster: Cluster,
    users: int,
    index: int,
    faulting: tuple[tuple[Fault, ...], network.Firewall | None],
    directory: Path,
    progress: Progress,
) -> LoadRun:
    spec = LoadSpec(
        locustfile=locustfile(plan.scenario),
        strategy=cluster.config.strategy,
        servers=cluster.addresses(),
        users=users,
        duration=plan.duration,
        seed=plan.seed + index,  # each run creates its own records: no ID clashes
        processes=plan.processes,
        call_timeout=plan.call_timeout,
    )
    launched = time.monotonic()
    locust = LocustProcess(spec, directory / f"users-{users}")
    # Faults are timed from the load's first request: starting Locust and the
    # scenario's setup come before it.
    planned, firewall = faulting
    timing = Timing(plan.duration, plan.fault_at, given_span=plan.fault_for)
    striker = Striker(
        cluster, planned, timing, firewall, lambda text: progress.say(f"{spec.strategy}: {text}")
    )
    watch = LeaderWatch(cluster)
    began: float | None = None
    try:
        while locust.running():
            counted = locust.stats()
            if began is None and counted is not None and counted.requests:
                began = time.monotonic() - counted.elapsed()
                striker.begin(began, plan.duration - (began - launched))
                watch.begin(began)
            elapsed = None if began is None else time.monotonic() - began
            progress.load(spec.strategy, users, elapsed, plan.duration, counted)
            time.sleep(TICK_S)
    finally:
        windows, changes = striker.finish(), watch.finish()
    history = locust.history()
    progress.say(f"{spec.strategy}: {users} users: {len(history):,} operations recorded")
    return LoadRun(
        users, tuple(history), tuple(locust.files()), tuple(windows), tuple(changes), began
    )
