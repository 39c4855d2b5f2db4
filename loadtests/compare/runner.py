"""The comparison: for each strategy a fresh cluster, a load run per user count, checks.

Per strategy: start its cluster (the requested servers, capped by what it
allows), run Locust once per user count with faults struck mid-run, restart
what is down, let the replicas settle and read their states, stop the cluster,
then run every checker over the whole history. A strategy that cannot be
measured (its cluster does not start, Locust fails) is recorded and skipped.
"""

import time
from datetime import UTC, datetime
from pathlib import Path

from core import registry
from core.config import ClusterConfig, ServerConfig
from core.launcher import Cluster, LaunchError
from core.strategy import StrategyDescriptor
from loadtests.checkers import check_all
from loadtests.compare import faults
from loadtests.compare.load import LoadError, LoadSpec, LocustProcess
from loadtests.compare.model import Comparison, FaultEvent, LoadRun, StrategyRun
from loadtests.compare.plan import Plan, locustfile
from loadtests.compare.progress import Progress
from loadtests.compare.replicas import collect

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
    count = min(plan.servers, descriptor.max_servers or plan.servers)
    return ClusterConfig(
        strategy=descriptor.name,
        options=dict(plan.options.get(descriptor.name, {})),
        servers=tuple(ServerConfig(f"s{n}", port=0) for n in range(1, count + 1)),
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
            f"runs at most {descriptor.max_servers} server(s): "
            f"ran {len(config.servers)} of the {plan.servers} requested"
        )
    directory = plan.out / descriptor.name
    with Cluster(config, workdir=directory / "cluster") as cluster:
        progress.say(f"{descriptor.name}: {len(cluster.servers)} server(s) up")
        reasons = {name: faults.skip_reason(name, cluster) for name in plan.faults}
        note(*reasons.values())
        strike = tuple(name for name, reason in reasons.items() if reason is None)
        loads = []
        for index, users in enumerate(plan.users):
            loads.append(_load(plan, cluster, users, index, strike, directory, progress))
            stopped = time.monotonic()
            note(*faults.recover(cluster))
        history = tuple(o for load in loads for o in load.history)
        progress.say(f"{descriptor.name}: load stopped; waiting for the replicas to agree")
        addresses = {server.name: server.address for server in cluster.servers}
        replicas, unread = collect(addresses, history, plan.settle_timeout, stopped)
        note(*unread)
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
    )


def _load(
    plan: Plan,
    cluster: Cluster,
    users: int,
    index: int,
    strike: tuple[str, ...],
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
    )
    locust = LocustProcess(spec, directory / f"users-{users}")
    # Faults strike at evenly spread moments of the load (the middle, for one), timed
    # from its first request: starting Locust and the scenario's setup come before.
    due = [(plan.duration * (n + 1) / (len(strike) + 1), name) for n, name in enumerate(strike)]
    events: list[FaultEvent] = []
    began: float | None = None
    while locust.running():
        counted = locust.stats()
        if began is None and counted is not None and counted.requests:
            began = time.monotonic() - counted.elapsed()
        elapsed = None if began is None else time.monotonic() - began
        while elapsed is not None and due and elapsed >= due[0][0]:
            _, name = due.pop(0)
            events.append(faults.inject(name, cluster, elapsed))
            progress.say(f"{spec.strategy}: {name}: {events[-1].note}")
        progress.load(spec.strategy, users, elapsed, plan.duration, counted)
        time.sleep(TICK_S)
    events += [FaultEvent(name, None, at, "not struck: the run ended first") for at, name in due]
    history = locust.history()
    progress.say(f"{spec.strategy}: {users} users: {len(history):,} operations recorded")
    return LoadRun(users, tuple(history), tuple(locust.files()), tuple(events))
