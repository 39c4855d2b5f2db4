"""What the portal layer costs: the real portal server against a do-nothing gRPC server.

Both servers run in their own subprocess (so the client load never shares their GIL),
with the same thread pool (32 workers) and `grpc.so_reuseport` 0:

- memory: `python -m core.cli.main serve --strategy memory --port 0`, the real server
  (routes, parsing, the domain state machine under a lock, health and reflection);
- bare: a grpcio server on the generated stubs of proto/api.proto whose handlers only
  return the empty response message (`Reply()`, `Client()`, ...).

Both get the same request sequence: CreateClient on fresh CIDs (data
`{"name": "c<CID>"}`), then RetrieveClient of each of them, in two client shapes:
sequential (one thread, one channel: 300 warm-up calls, then 3000 measured) and
concurrent (16 threads, a channel each, 20 warm-up calls each, then 500 each, released
together). Every call is timed with `time.perf_counter_ns`; each shape reports
throughput (calls/s), p50/p99 latency (ms), and the server process's CPU time per call
(all its threads, from Linux's /proc, in 10 ms ticks): the least noisy of the figures.
Each round starts both servers and runs each shape on one right after the other
(alternating which goes first); the table shows the median over rounds (5 by default),
since this machine is small and shared. The derived figures are the throughput ratio
(memory / bare) and the added p50 (memory p50 - bare p50) per shape, checked against
the targets below. With 16 calls always in flight the concurrent p50 is mostly queueing
(about 16 / throughput), so there the added p50 follows the throughput ratio.

Run from the repository root, on demand (it is not a test):

    .venv/bin/python -m benchmarks.portal_overhead [--rounds 5] [--json FILE]

Progress goes to stderr, the table to stdout; `--help` lists the load's sizes.
`--baseline memory` puts a second memory server in the bare server's place: an A/A
run whose differences are this machine's noise floor. On the project's 2-core machine
one such run gave ratios 1.14 (sequential) and 0.94 (concurrent), added p50 -0.06 and
+0.19 ms, added server CPU -37 and +10 us/call: read the real run's figures against that.
`--bare-server --ready-file F` is the internal entry point that runs the bare server.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import grpc
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

from core.config import GrpcConfig
from loadtests.percentiles import percentile
from proto import api_pb2 as pb
from proto import api_pb2_grpc

ROOT: Final = Path(__file__).resolve().parents[1]
WORKERS: Final = GrpcConfig().workers  # the real server's default pool size
SERVERS: Final = ("bare", "memory")
SHAPES: Final = ("sequential", "concurrent")
MIN_RATIO: Final = 0.85
MAX_ADDED_P50_MS: Final = 0.2
CALL_TIMEOUT_S: Final = 10.0
START_TIMEOUT_S: Final = 30.0
STOP_TIMEOUT_S: Final = 15.0
# Each client lane (0: sequential, 1..: concurrent threads) creates its own CIDs.
LANE_STRIDE: Final = 1_000_000
WARMUP_OFFSET: Final = 500_000


def log(message: str) -> None:
    print(f"[portal_overhead] {message}", file=sys.stderr, flush=True)


# --- The bare server -------------------------------------------------------------------


def _empty_handler(method: MethodDescriptor) -> Callable[[Any, Any], Any]:
    response = getattr(pb, method.output_type.name)
    if method.server_streaming:
        return lambda request, context: iter(())
    return lambda request, context: response()


class EmptyServicer:
    """Answers every RPC of `service` with its empty response message, doing no work."""

    def __init__(self, service: str) -> None:
        for method in pb.DESCRIPTOR.services_by_name[service].methods:
            setattr(self, method.name, _empty_handler(method))


ADD_SERVICER: Final[dict[str, Callable[[Any, grpc.Server], None]]] = {
    "AdminPortal": api_pb2_grpc.add_AdminPortalServicer_to_server,
    "OrderPortal": api_pb2_grpc.add_OrderPortalServicer_to_server,
}


def write_ready_file(path: Path, port: int) -> None:
    """The same document as the real server's ready file, written atomically."""
    document = {
        "name": "bare",
        "address": f"127.0.0.1:{port}",
        "portals": list(ADD_SERVICER),
        "pid": os.getpid(),
    }
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document))
    partial.replace(path)


def serve_bare(ready_file: Path) -> int:
    """Serve the empty portals on 127.0.0.1, a free port, until SIGINT or SIGTERM."""
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=WORKERS), options=[("grpc.so_reuseport", 0)]
    )
    for service, add in ADD_SERVICER.items():
        add(EmptyServicer(service), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    write_ready_file(ready_file, port)
    stopping.wait()
    server.stop(GrpcConfig().grace_seconds).wait()
    return 0


# --- Server subprocesses ---------------------------------------------------------------


def server_command(kind: str, ready_file: Path) -> list[str]:
    if kind == "bare":
        module = ["benchmarks.portal_overhead", "--bare-server"]
    else:
        module = ["core.cli.main", "serve", "--strategy", kind, "--port", "0"]
        module += ["--log-level", "WARNING"]
    return [sys.executable, "-m", *module, "--ready-file", str(ready_file)]


@dataclass(frozen=True)
class Server:
    address: str
    pid: int

    def cpu_seconds(self) -> float:
        """The server process's user + system CPU time so far (from Linux's /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_ready(process: subprocess.Popen[bytes], ready_file: Path) -> Server:
    """The server named by the ready file, once the server has written it."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready_file.exists():
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before serving")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the server wrote no ready file within {START_TIMEOUT_S:.0f} s")
        time.sleep(0.05)
    document = json.loads(ready_file.read_text())
    return Server(address=document["address"], pid=document["pid"])


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        log(f"server {process.pid} ignored SIGTERM; killing it")
        process.kill()
        process.wait()


@contextmanager
def running(kind: str) -> Iterator[Server]:
    """Run a `kind` server in a subprocess until the block ends."""
    with tempfile.TemporaryDirectory(prefix="portal_overhead-") as directory:
        ready_file = Path(directory) / "ready.json"
        process = subprocess.Popen(server_command(kind, ready_file), cwd=ROOT)
        try:
            yield wait_ready(process, ready_file)
        finally:
            stop(process)


# --- The client load -------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    op: str  # "create" or "retrieve"
    request: Message


def plan(first_cid: int, count: int) -> list[Call]:
    """`count` calls: CreateClient on fresh CIDs, then RetrieveClient of each of them."""
    cids = [str(first_cid + i) for i in range((count + 1) // 2)]
    creates = [
        Call("create", pb.Client(CID=cid, data=json.dumps({"name": f"c{cid}"}))) for cid in cids
    ]
    retrieves = [Call("retrieve", pb.ID(ID=cid)) for cid in cids]
    return (creates + retrieves)[:count]


def lane_plan(lane: int, count: int, warmup: bool) -> list[Call]:
    return plan(lane * LANE_STRIDE + (WARMUP_OFFSET if warmup else 0) + 1, count)


class Portal:
    """The two AdminPortal RPCs of the load, on a channel of its own."""

    def __init__(self, address: str) -> None:
        self._channel = grpc.insecure_channel(address)
        self._rpcs: dict[str, grpc.UnaryUnaryMultiCallable[Any, Any]] = {
            "create": self._channel.unary_unary(
                "/AdminPortal/CreateClient",
                request_serializer=pb.Client.SerializeToString,
                response_deserializer=pb.Reply.FromString,
            ),
            "retrieve": self._channel.unary_unary(
                "/AdminPortal/RetrieveClient",
                request_serializer=pb.ID.SerializeToString,
                response_deserializer=pb.Client.FromString,
            ),
        }

    def send(self, call: Call) -> Any:
        return self._rpcs[call.op](call.request, timeout=CALL_TIMEOUT_S)

    def close(self) -> None:
        self._channel.close()


Latencies = dict[str, list[int]]  # op -> nanoseconds, one per call


def timed(portal: Portal, calls: Sequence[Call]) -> Latencies:
    """Send `calls` one after the other; a refused write fails the run."""
    latencies: Latencies = {"create": [], "retrieve": []}
    for call in calls:
        start = time.perf_counter_ns()
        response = portal.send(call)
        latencies[call.op].append(time.perf_counter_ns() - start)
        if isinstance(response, pb.Reply) and response.error != 0:
            raise RuntimeError(f"{call.op} refused: {response.error} {response.description}")
    return latencies


@dataclass(frozen=True)
class Clock:
    """Wall time and the server's CPU time, read together."""

    wall_ns: int
    server_cpu_s: float

    @classmethod
    def read(cls, server: Server) -> "Clock":
        return cls(time.perf_counter_ns(), server.cpu_seconds())


@dataclass(frozen=True)
class Measure:
    throughput: float  # calls/s
    p50_ms: float
    p99_ms: float
    create_p50_ms: float
    retrieve_p50_ms: float
    server_cpu_us: float  # server CPU time per call, all its threads (10 ms clock ticks)


def percentiles_ms(samples: list[int]) -> tuple[float, float]:
    ordered = sorted(samples)
    return round(percentile(ordered, 0.50) / 1e6, 3), round(percentile(ordered, 0.99) / 1e6, 3)


def summarize(parts: Sequence[Latencies], start: Clock, end: Clock) -> Measure:
    by_op = {op: [ns for part in parts for ns in part[op]] for op in ("create", "retrieve")}
    every = by_op["create"] + by_op["retrieve"]
    p50, p99 = percentiles_ms(every)
    return Measure(
        throughput=round(len(every) / ((end.wall_ns - start.wall_ns) / 1e9), 1),
        p50_ms=p50,
        p99_ms=p99,
        create_p50_ms=percentiles_ms(by_op["create"])[0],
        retrieve_p50_ms=percentiles_ms(by_op["retrieve"])[0],
        server_cpu_us=round((end.server_cpu_s - start.server_cpu_s) / len(every) * 1e6, 1),
    )


@dataclass(frozen=True)
class Load:
    warmup_calls: int
    sequential_calls: int
    threads: int
    calls_per_thread: int
    thread_warmup_calls: int


def run_sequential(server: Server, load: Load) -> Measure:
    portal = Portal(server.address)
    try:
        timed(portal, lane_plan(0, load.warmup_calls, warmup=True))
        calls = lane_plan(0, load.sequential_calls, warmup=False)
        start = Clock.read(server)
        latencies = timed(portal, calls)
        return summarize([latencies], start, Clock.read(server))
    finally:
        portal.close()


def _client_thread(address: str, lane: int, load: Load, barrier: threading.Barrier) -> Latencies:
    portal = Portal(address)
    try:
        timed(portal, lane_plan(lane, load.thread_warmup_calls, warmup=True))
        calls = lane_plan(lane, load.calls_per_thread, warmup=False)
        barrier.wait()
        return timed(portal, calls)
    finally:
        portal.close()


def run_concurrent(server: Server, load: Load) -> Measure:
    """`load.threads` clients, each on its own channel, released together after warm-up."""
    barrier = threading.Barrier(load.threads + 1, timeout=START_TIMEOUT_S)
    with futures.ThreadPoolExecutor(max_workers=load.threads) as pool:
        jobs = [
            pool.submit(_client_thread, server.address, lane, load, barrier)
            for lane in range(1, load.threads + 1)
        ]
        barrier.wait()
        start = Clock.read(server)
        parts = [job.result() for job in jobs]
        return summarize(parts, start, Clock.read(server))


SHAPE_RUNNERS: Final[dict[str, Callable[[Server, Load], Measure]]] = {
    "sequential": run_sequential,
    "concurrent": run_concurrent,
}

# --- Rounds, medians and the report ----------------------------------------------------

Results = dict[str, dict[str, list[Measure]]]  # shape -> server -> one Measure per round


def run_rounds(rounds: int, load: Load, baseline: str) -> Results:
    """Each round starts both servers afresh and runs each shape on one, then the other.

    The two runs of a shape follow each other, so a slow spell of the machine hits
    both alike; odd rounds start with the other server.
    """
    results: Results = {shape: {kind: [] for kind in SERVERS} for shape in SHAPES}
    for number in range(rounds):
        order = SERVERS if number % 2 == 0 else SERVERS[::-1]
        with ExitStack() as stack:
            servers = {
                kind: stack.enter_context(running(baseline if kind == "bare" else kind))
                for kind in order
            }
            for shape, runner in SHAPE_RUNNERS.items():
                for kind in order:
                    log(f"round {number + 1}/{rounds}: {kind} server, {shape} load")
                    results[shape][kind].append(runner(servers[kind], load))
    return results


def median_measure(measures: list[Measure]) -> Measure:
    """Each figure's median over the rounds."""
    columns = zip(*(asdict(m).values() for m in measures), strict=True)
    return Measure(*(round(statistics.median(column), 3) for column in columns))


@dataclass(frozen=True)
class Overhead:
    ratio: float  # memory throughput / bare throughput
    added_p50_ms: float
    added_server_cpu_us: float  # no target: says where the time goes

    @property
    def ratio_met(self) -> bool:
        return self.ratio >= MIN_RATIO

    @property
    def added_p50_met(self) -> bool:
        return self.added_p50_ms <= MAX_ADDED_P50_MS


def overhead(bare: Measure, memory: Measure) -> Overhead:
    return Overhead(
        ratio=round(memory.throughput / bare.throughput, 3),
        added_p50_ms=round(memory.p50_ms - bare.p50_ms, 3),
        added_server_cpu_us=round(memory.server_cpu_us - bare.server_cpu_us, 1),
    )


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def table(results: Results, medians: dict[str, dict[str, Measure]]) -> list[str]:
    header = (
        f"{'shape':<11} {'server':<7} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'create p50':>10} {'retr. p50':>10} {'srv CPU us':>10}  calls/s per round"
    )
    lines = [header, "-" * len(header)]
    for shape in SHAPES:
        for kind in SERVERS:
            m = medians[shape][kind]
            rounds = " / ".join(f"{r.throughput:.0f}" for r in results[shape][kind])
            lines.append(
                f"{shape:<11} {kind:<7} {m.throughput:>9.1f} {m.p50_ms:>8.3f} {m.p99_ms:>8.3f} "
                f"{m.create_p50_ms:>10.3f} {m.retrieve_p50_ms:>10.3f} {m.server_cpu_us:>10.1f}"
                f"  {rounds}"
            )
    return lines


def verdicts(medians: dict[str, dict[str, Measure]]) -> list[str]:
    lines = []
    for shape in SHAPES:
        o = overhead(medians[shape]["bare"], medians[shape]["memory"])
        lines += [
            f"{shape}: throughput ratio memory/bare {o.ratio:.3f} "
            f"(target >= {MIN_RATIO}: {_verdict(o.ratio_met)})",
            f"{'':<{len(shape) + 1}} added p50 {o.added_p50_ms:+.3f} ms "
            f"(target <= {MAX_ADDED_P50_MS} ms: {_verdict(o.added_p50_met)}); "
            f"added server CPU {o.added_server_cpu_us:+.1f} us/call",
        ]
    return lines


def report(results: Results, medians: dict[str, dict[str, Measure]]) -> str:
    """The table of medians over rounds, then the derived figures against the targets."""
    return "\n".join([*table(results, medians), "", *verdicts(medians)])


def figures(
    load: Load, rounds: int, results: Results, medians: dict[str, dict[str, Measure]]
) -> dict[str, Any]:
    """Everything measured, for `--json`."""
    overheads = {s: overhead(medians[s]["bare"], medians[s]["memory"]) for s in SHAPES}
    return {
        "load": asdict(load) | {"rounds": rounds},
        "targets": {"min_ratio": MIN_RATIO, "max_added_p50_ms": MAX_ADDED_P50_MS},
        "median": {s: {k: asdict(m) for k, m in medians[s].items()} for s in SHAPES},
        "rounds": {s: {k: [asdict(m) for m in ms] for k, ms in results[s].items()} for s in SHAPES},
        "overhead": {
            s: asdict(o) | {"ratio_met": o.ratio_met, "added_p50_met": o.added_p50_met}
            for s, o in overheads.items()
        },
    }


# --- Command line ----------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.portal_overhead",
        description="Compare the memory-strategy portal server with a do-nothing gRPC server.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds per server")
    parser.add_argument("--warmup", type=int, default=300, help="sequential warm-up calls")
    parser.add_argument("--calls", type=int, default=3000, help="sequential measured calls")
    parser.add_argument("--threads", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--calls-per-thread", type=int, default=500, help="concurrent calls each")
    parser.add_argument("--thread-warmup", type=int, default=20, help="warm-up calls per thread")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument(
        "--baseline", choices=["bare", "memory"], default="bare",
        help="server in the baseline slot; memory gives an A/A run: the noise floor",
    )  # fmt: skip
    parser.add_argument("--bare-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ready-file", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.bare_server:
        if args.ready_file is None:
            raise SystemExit("--bare-server needs --ready-file")
        return serve_bare(args.ready_file)
    load = Load(args.warmup, args.calls, args.threads, args.calls_per_thread, args.thread_warmup)
    results = run_rounds(args.rounds, load, args.baseline)
    if args.baseline != "bare":
        log(f"A/A run: the 'bare' rows are a {args.baseline} server; differences are noise")
    medians = {s: {k: median_measure(ms) for k, ms in results[s].items()} for s in SHAPES}
    print(report(results, medians))
    if args.json is not None:
        args.json.write_text(json.dumps(figures(load, args.rounds, results, medians), indent=2))
        log(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
