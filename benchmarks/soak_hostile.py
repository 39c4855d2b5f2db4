"""A bounded soak: 10,000 hostile requests against a real server, and a normal client beside.

Starts a cluster with `core.launcher.Cluster` (one memory server by default; `--strategy`
picks another, with the fewest servers it runs), gives it a few records, then sends the
contract fuzz test's hostile calls (tests/support/hostile.py: messages with hostile IDs
and `data`, raw bodies, both paths) from `--threads` threads, each on its own channel,
drawn from a seeded `random.Random`. Meanwhile a normal client on its own channel keeps
reading a client record; its latency is measured before the soak (alone) and during it.

Printed: progress on stderr; then the counts by reply code (`0`, `400`, ...) or gRPC
status (`INVALID_ARGUMENT`, ...), "read" for answered reads; the first server's resident
memory (VmRSS in /proc/PID/status) before and after; the normal client's p50/p99 alone
and during the soak. It exits 1 if any reply was a 500, INTERNAL or UNKNOWN, or if the
server stopped answering its status. Run from the repository root, on demand:

    .venv/bin/python -m benchmarks.soak_hostile [--strategy memory] [--requests 10000]
"""

import argparse
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import grpc

from core import registry
from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from core.portals.control import fetch_status
from loadtests.percentiles import percentile
from proto import api_pb2 as pb
from proto import api_pb2_grpc
from tests.support.hostile import call, send

TIMEOUT_S = 10.0
BROKEN = {"500", "INTERNAL", "UNKNOWN"}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def seed(channel: grpc.Channel, pool: list[str]) -> None:
    """A client, two products and an order under the pool's IDs, for writes to meet."""
    admin, orders = api_pb2_grpc.AdminPortalStub(channel), api_pb2_grpc.OrderPortalStub(channel)
    cid, pid, other, oid = pool
    product = '{{"name": "p", "price": "2.50", "quantity": {}}}'
    lines = f'{{"products": [{{"PID": "{pid}", "quantity": 5}}]}}'
    replies = [
        admin.CreateClient(pb.Client(CID=cid, data='{"name": "Ana"}'), timeout=TIMEOUT_S),
        admin.CreateProduct(pb.Product(PID=pid, data=product.format(50)), timeout=TIMEOUT_S),
        admin.CreateProduct(pb.Product(PID=other, data=product.format(2**62)), timeout=TIMEOUT_S),
        orders.CreateOrder(pb.Order(OID=oid, CID=cid, data=lines), timeout=TIMEOUT_S),
    ]
    failed = [reply for reply in replies if reply.error]
    if failed:
        raise RuntimeError(f"seeding failed: {failed[0].error} {failed[0].description}")


class NormalClient(threading.Thread):
    """Reads one client record over and over on its own channel, timing every call."""

    def __init__(self, address: str, cid: str) -> None:
        super().__init__(name="normal-client", daemon=True)
        self._channel = grpc.insecure_channel(address)
        self._stub = api_pb2_grpc.AdminPortalStub(self._channel)
        self._cid = cid
        self.stopping = threading.Event()
        self.latencies_ms: list[float] = []
        self.failures = 0

    def one(self) -> None:
        started = time.perf_counter()
        try:
            self._stub.RetrieveClient(pb.ID(ID=self._cid), timeout=TIMEOUT_S)
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
        except grpc.RpcError:
            self.failures += 1

    def run(self) -> None:
        while not self.stopping.is_set():
            self.one()
            time.sleep(0.005)  # a person's client, not a load generator

    def close(self) -> None:
        self._channel.close()


def soak(
    address: str, pool: list[str], requests: int, threads: int, seed_value: int
) -> Counter[str]:
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    done = [0]

    def worker(number: int, share: int) -> None:
        chooser = random.Random(seed_value * 1000 + number)
        with grpc.insecure_channel(address) as channel:
            for _ in range(share):
                outcome = send(channel, call(chooser, pool), TIMEOUT_S)
                with lock:
                    counts[outcome.label] += 1
                    done[0] += 1
                    if done[0] % 1000 == 0:
                        print(f"  {done[0]:>6} of {requests} sent", file=sys.stderr)

    shares = [requests // threads + (n < requests % threads) for n in range(threads)]
    workers = [threading.Thread(target=worker, args=(n, s)) for n, s in enumerate(shares)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return counts


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    if not ordered:
        return "no successful calls"
    return (
        f"p50 {percentile(ordered, 0.5):.2f} ms, p99 {percentile(ordered, 0.99):.2f} ms, "
        f"max {ordered[-1]:.2f} ms over {len(ordered)} calls"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strategy", default="memory", help="replication strategy")
    parser.add_argument("--requests", type=int, default=10_000, help="hostile requests")
    parser.add_argument("--threads", type=int, default=4, help="hostile senders")
    parser.add_argument("--seed", type=int, default=1, help="for the same requests again")
    args = parser.parse_args(argv)
    descriptor = registry.get(args.strategy)
    servers = descriptor.topology.servers(1)
    config = ClusterConfig(
        strategy=args.strategy,
        nodes=tuple(NodeConfig(f"s{n}", port=0) for n in range(1, servers + 1)),
    )
    pool = [f"soak.{n}" for n in range(1, 5)]
    with Cluster(config) as cluster:
        server = cluster.servers[0]
        assert server.pid is not None
        address = server.address
        with grpc.insecure_channel(address) as channel:
            seed(channel, pool)
        normal = NormalClient(address, pool[0])
        for _ in range(300):
            normal.one()
        alone = normal.latencies_ms
        normal.latencies_ms = []
        before = rss_kib(server.pid)
        print(f"{args.strategy}: {servers} server(s); sending {args.requests}", file=sys.stderr)
        normal.start()
        started = time.monotonic()
        counts = soak(address, pool, args.requests, args.threads, args.seed)
        elapsed = time.monotonic() - started
        normal.stopping.set()
        normal.join()
        normal.close()
        after = rss_kib(server.pid)
        with grpc.insecure_channel(address) as channel:
            status = fetch_status(channel)
    print(f"strategy {args.strategy}, {args.requests} hostile requests in {elapsed:.1f} s")
    for label, count in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"  {label:<20} {count:>6}")
    print(f"server RSS: {before} KiB before, {after} KiB after ({after - before:+d} KiB)")
    print(f"normal client alone:       {summary(alone)}")
    print(f"normal client during soak: {summary(normal.latencies_ms)}, {normal.failures} failed")
    print(f"server status after: role {status['role']}, digest {status['digest'][:12]}")
    broken = sum(counts[label] for label in BROKEN)
    return 1 if broken or normal.failures else 0


if __name__ == "__main__":
    sys.exit(main())
