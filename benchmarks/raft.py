"""Writes and failover of pysyncobj-raft, beside mqtt-broadcast and memory.

Two parts, in one run:

- writes: for each strategy (memory: 1 server; the others: 3), client threads each
  with a channel to one server (spread over all servers) call CreateClient on fresh
  CIDs for `--seconds`, at 1, 16 and 64 threads; the table gives acknowledged writes
  per second and p50/p99 latency (`time.perf_counter`, successes only), the count of
  non-zero replies, and for Raft how many elections the load caused (term changes).
- failover: on a 3-node pysyncobj-raft cluster under 4 writer threads, the leader is
  killed with SIGKILL `--kills` times (restarted and caught up between kills). Each
  kill's unavailability is the time from the last write acknowledged before the kill
  to the first one acknowledged after it. At the end every acknowledged CID is read
  back through the log: the count missing is the count of acknowledged writes lost.

Targets on the project's 2-core machine (DESIGN.md): Raft write p50 <= 3 ms, >= 500
writes/s at 16 threads, no collapse at 64, failover p99 <= 3 s, zero writes lost.
The client threads share one process (and its GIL) with each other, not with the
servers. A strategy that is not registered is skipped with a note.

    .venv/bin/python -m benchmarks.raft [--seconds 5] [--kills 10] [--json FILE]

Progress goes to stderr, the figures to stdout. This is not a test: run it on demand.
"""

import argparse
import itertools
import json
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final

import grpc

from core import registry
from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from core.portals.control import fetch_status
from loadtests.percentiles import percentile
from proto import api_pb2 as pb
from proto import api_pb2_grpc

RAFT: Final = "pysyncobj-raft"
STRATEGIES: Final = ("memory", "mqtt-broadcast", RAFT)
THREADS: Final = (1, 16, 64)
FAILOVER_WRITERS: Final = 4
CALL_TIMEOUT_S: Final = 10.0
WAIT_S: Final = 30.0
DATA: Final = '{"name": "bench"}'


def log(message: str) -> None:
    print(f"[raft] {message}", file=sys.stderr, flush=True)


@contextmanager
def cluster_of(strategy: str, workdir: Path) -> Iterator[Cluster]:
    servers = registry.get(strategy).topology.servers(3)
    config = ClusterConfig(
        strategy=strategy,
        nodes=tuple(NodeConfig(f"s{n}", port=0) for n in range(1, servers + 1)),
    )
    with Cluster(config, workdir=workdir / strategy) as cluster:
        yield cluster


def status(address: str) -> dict[str, Any]:
    with grpc.insecure_channel(address) as channel:
        return fetch_status(channel)


# --- Writes ------------------------------------------------------------------------------


@dataclass
class WriteRun:
    strategy: str
    threads: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    refused: int = 0
    elections: int | None = None

    def row(self) -> dict[str, Any]:
        lat = sorted(self.latencies) or [float("nan")]
        return {
            "strategy": self.strategy,
            "threads": self.threads,
            "writes_per_s": len(self.latencies) / self.seconds,
            "p50_ms": percentile(lat, 0.50) * 1e3,
            "p99_ms": percentile(lat, 0.99) * 1e3,
            "refused": self.refused,
            "elections": self.elections,
        }


def write_for(
    address: str, prefix: str, deadline: float, run: WriteRun, lock: threading.Lock
) -> None:
    latencies, refused = [], 0
    with grpc.insecure_channel(address) as channel:
        stub = api_pb2_grpc.AdminPortalStub(channel)
        for n in itertools.count():
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            reply = stub.CreateClient(
                pb.Client(CID=f"{prefix}-{n}", data=DATA), timeout=CALL_TIMEOUT_S
            )
            if reply.error == 0:
                latencies.append(time.perf_counter() - started)
            else:
                refused += 1
    with lock:
        run.latencies.extend(latencies)
        run.refused += refused


def terms(cluster: Cluster) -> int:
    return sum(status(address)["details"]["term"] for address in cluster.addresses())


def write_load(cluster: Cluster, strategy: str, threads: int, seconds: float, tag: str) -> WriteRun:
    run, lock = WriteRun(strategy, threads, seconds), threading.Lock()
    addresses = cluster.addresses("admin")
    before = terms(cluster) if strategy == RAFT else None
    deadline = time.monotonic() + seconds
    workers = [
        threading.Thread(
            target=write_for,
            args=(addresses[n % len(addresses)], f"{tag}-{threads}-{n}", deadline, run, lock),
        )
        for n in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if before is not None:
        run.elections = terms(cluster) - before
    return run


def writes(
    strategies: list[str], threads: tuple[int, ...], seconds: float, workdir: Path
) -> list[dict[str, Any]]:
    known = registry.strategies()
    rows = []
    for strategy in strategies:
        if strategy not in known:
            log(f"{strategy} is not registered: skipped")
            continue
        with cluster_of(strategy, workdir) as cluster:
            write_load(cluster, strategy, 4, min(1.0, seconds), "warmup")
            for count in threads:
                log(f"{strategy}: {count} thread(s) for {seconds:g} s")
                rows.append(write_load(cluster, strategy, count, seconds, "w").row())
    return rows


# --- Failover ----------------------------------------------------------------------------


@dataclass
class Writers:
    """Threads writing fresh CIDs to whichever servers are up, noting each acknowledgement."""

    cluster: Cluster
    acked: dict[str, float] = field(default_factory=dict)  # CID -> time.monotonic() of the ack
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, lane: int) -> None:
        channels: dict[str, grpc.Channel] = {}
        for n in itertools.count():
            if self.stop.is_set():
                break
            live = [
                s.address for s in self.cluster.servers if s.address and s.process.poll() is None
            ]
            if not live:
                time.sleep(0.005)
                continue
            address, cid = live[n % len(live)], f"f{lane}-{n}"
            channel = channels.setdefault(address, grpc.insecure_channel(address))
            try:
                reply = api_pb2_grpc.AdminPortalStub(channel).CreateClient(
                    pb.Client(CID=cid, data=DATA), timeout=CALL_TIMEOUT_S
                )
            except grpc.RpcError:
                reply = None  # the server died mid-call: this write's outcome is unknown
            if reply is not None and reply.error == 0:
                with self.lock:
                    self.acked[cid] = time.monotonic()
            else:
                time.sleep(0.005)  # let the election finish rather than spin on it
        for channel in channels.values():
            channel.close()

    def last_ack(self, before: float) -> float:
        with self.lock:
            return max(when for when in self.acked.values() if when <= before)

    def first_ack(self, after: float) -> float | None:
        with self.lock:
            later = [when for when in self.acked.values() if when > after]
        return min(later) if later else None


def until(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_S
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {WAIT_S:.0f} s")
        time.sleep(0.01)
    return result


def leader(cluster: Cluster) -> str | None:
    try:
        seen = {status(s.address)["leader"] for s in cluster.servers}
    except grpc.RpcError:
        return None
    return seen.pop() if len(seen) == 1 else None


def lost_writes(cluster: Cluster, acked: list[str]) -> int:
    address = cluster.addresses()[0]
    with grpc.insecure_channel(address) as channel:
        stub = api_pb2_grpc.AdminPortalStub(channel)

        def missing(cid: str) -> bool:
            return bool(stub.RetrieveClient(pb.ID(ID=cid), timeout=CALL_TIMEOUT_S).CID != cid)

        with ThreadPoolExecutor(8) as pool:
            return sum(pool.map(missing, acked))


def failover(kills: int, workdir: Path) -> dict[str, Any]:
    gaps = []
    with cluster_of(RAFT, workdir / "failover") as cluster:
        writers = Writers(cluster)
        lanes = [threading.Thread(target=writers.run, args=(n,)) for n in range(FAILOVER_WRITERS)]
        for lane in lanes:
            lane.start()
        try:
            for kill in range(1, kills + 1):
                chief = until(lambda: leader(cluster), "agreed leader")
                mark = time.monotonic()
                until(partial(writers.first_ack, mark), "write before the kill")
                cluster.kill(chief, signal.SIGKILL)
                killed = time.monotonic()
                first = until(partial(writers.first_ack, killed), "write after the kill")
                gaps.append(first - writers.last_ack(killed))
                log(f"kill {kill}/{kills}: {chief} down, writes back after {gaps[-1]:.3f} s")
                cluster.restart(chief)  # returns once it has caught up with the new leader
        finally:
            writers.stop.set()
            for lane in lanes:
                lane.join()
        acked = list(writers.acked)
        log(f"reading back {len(acked)} acknowledged writes")
        lost = lost_writes(cluster, acked)
    return {
        "kills": kills,
        "unavailable_p50_s": percentile(sorted(gaps), 0.50),
        "unavailable_p99_s": percentile(sorted(gaps), 0.99),
        "unavailable_max_s": max(gaps),
        "acknowledged": len(acked),
        "lost": lost,
    }


# --- Report ------------------------------------------------------------------------------


def report(rows: list[dict[str, Any]], fail: dict[str, Any] | None) -> None:
    print(
        f"{'strategy':<16} {'threads':>7} {'writes/s':>9} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'refused':>8} {'elections':>9}"
    )
    for row in rows:
        elections = "-" if row["elections"] is None else str(row["elections"])
        print(
            f"{row['strategy']:<16} {row['threads']:>7} {row['writes_per_s']:>9.0f} "
            f"{row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} {row['refused']:>8} {elections:>9}"
        )
    if fail is not None:
        print(
            f"\nfailover ({RAFT}, {fail['kills']} leader SIGKILLs): unavailable p50 "
            f"{fail['unavailable_p50_s']:.3f} s, p99 {fail['unavailable_p99_s']:.3f} s, max "
            f"{fail['unavailable_max_s']:.3f} s; {fail['acknowledged']} writes acknowledged, "
            f"{fail['lost']} lost"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per thread count")
    parser.add_argument("--threads", default=",".join(map(str, THREADS)), help="e.g. 1,16,64")
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--kills", type=int, default=10, help="leader kills (0: no failover part)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    threads = tuple(int(n) for n in args.threads.split(","))
    with tempfile.TemporaryDirectory(prefix="bench-raft-") as directory:
        rows = writes(args.strategies.split(","), threads, args.seconds, Path(directory))
        fail = failover(args.kills, Path(directory)) if args.kills else None
    report(rows, fail)
    if args.json is not None:
        args.json.write_text(json.dumps({"writes": rows, "failover": fail}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
