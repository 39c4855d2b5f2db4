"""How long the consistency checkers take on a realistic 100,000-operation history.

The history is made the way a linearizable cluster would make it: 64 buyers and
4 admins call one after another with lognormal latencies (median 2 ms), so calls
of different processes overlap; each call takes effect at a random point inside
its interval, in which order the real state machine (`core.domain`) answers them.
Buyers create, update and delete their own orders over 50 products (20 with low
stock, so some orders are refused), read products, orders and clients, and
update shared "hot" clients; admins run a client CRUD mix and restock products.
Then a few faults are injected: 0.3% of writes time out with an unknown outcome
(half of them land anyway) and 0.2% of reads return the value their record had
before its last write.

Each checker is timed alone, then `check_all`; the target is under 30 s in all.
Run from the repository root, on demand (it is not a test):

    .venv/bin/python -m benchmarks.checkers [--operations 100000] [--seed 1]
"""

import argparse
import heapq
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from loadtests.checkers import (
    check_all,
    check_convergence,
    check_linearizability,
    check_lost_updates,
    check_sessions,
    check_staleness,
    check_stock,
)
from loadtests.history import (
    DigestSample,
    Operation,
    Outcome,
    Replicas,
    outcome_of,
    read_history,
    write_history,
)
from tests.loadtests.support import Shop

TARGET_S: Final = 30.0
BUYERS, ADMINS, PRODUCTS, HOT_CLIENTS = 64, 4, 50, 10
MEDIAN_LATENCY_S: Final = 0.002


@dataclass
class Call:
    process: str
    op: str
    args: dict[str, Any]
    invoke: float
    complete: float
    point: float  # when it takes effect


@dataclass
class Process:
    name: str
    rng: random.Random
    owned: list[str] = field(default_factory=list)  # OIDs or CIDs it created
    made: int = 0


def _lines(rng: random.Random) -> dict[str, Any]:
    chosen = rng.sample(range(PRODUCTS), rng.randint(1, 3))
    return {"products": [{"PID": f"p{n}", "quantity": rng.randint(1, 3)} for n in chosen]}


def _buyer(p: Process) -> tuple[str, dict[str, Any]]:
    rng, cid = p.rng, p.name
    if not p.made:
        return "CreateClient", {"CID": cid, "data": {"name": cid}}
    roll = rng.random()
    if roll < 0.30 or not p.owned:
        p.owned.append(f"{cid}-o{p.made}")
        return "CreateOrder", {"OID": p.owned[-1], "CID": cid, "data": _lines(rng)}
    if roll < 0.40:
        return "UpdateOrder", {"OID": rng.choice(p.owned), "CID": cid, "data": _lines(rng)}
    if roll < 0.45:
        return "DeleteOrder", {"ID": p.owned.pop(rng.randrange(len(p.owned)))}
    if roll < 0.70:
        return "RetrieveProduct", {"ID": f"p{rng.randrange(PRODUCTS)}"}
    if roll < 0.80:
        return "RetrieveOrder", {"ID": rng.choice(p.owned)}
    if roll < 0.85:
        return "RetrieveClient", {"ID": f"b{rng.randrange(BUYERS)}"}
    if roll < 0.88:
        return "UpdateClient", {"CID": cid, "data": {"name": cid, "visits": p.made}}
    hot = f"hot{rng.randrange(HOT_CLIENTS)}"
    if roll < 0.93:
        return "UpdateClient", {"CID": hot, "data": {"name": hot, "by": cid, "n": p.made}}
    if roll < 0.98:
        return "RetrieveClient", {"ID": hot}
    return "RetrieveClientOrders", {"ID": cid}


def _admin(p: Process) -> tuple[str, dict[str, Any]]:
    rng = p.rng
    roll = rng.random()
    if roll < 0.25 or not p.owned:
        p.owned.append(f"{p.name}-c{p.made}")
        return "CreateClient", {"CID": p.owned[-1], "data": {"name": p.owned[-1]}}
    cid = rng.choice(p.owned)
    if roll < 0.45:
        return "UpdateClient", {"CID": cid, "data": {"name": cid, "n": p.made}}
    if roll < 0.75:
        return "RetrieveClient", {"ID": cid}
    if roll < 0.85:
        p.owned.remove(cid)
        return "DeleteClient", {"ID": cid}
    pid = f"p{rng.randrange(PRODUCTS)}"
    if roll < 0.90:
        data = {"name": pid, "price": "2.50", "quantity": rng.randint(50, 200)}
        return "UpdateProduct", {"PID": pid, "data": data}
    return "RetrieveProduct", {"ID": pid}


def _setup(rng: random.Random) -> list[Call]:
    calls = []
    for n in range(PRODUCTS):
        stock = rng.randint(5, 20) if n < 20 else rng.randint(200, 500)
        data = {"name": f"p{n}", "price": "2.50", "quantity": stock}
        calls.append(("CreateProduct", {"PID": f"p{n}", "data": data}))
    for n in range(HOT_CLIENTS):
        calls.append(("CreateClient", {"CID": f"hot{n}", "data": {"name": f"hot{n}"}}))
    return [
        Call("setup", op, args, n / 1e3, (n + 0.5) / 1e3, (n + 0.25) / 1e3)
        for n, (op, args) in enumerate(calls)
    ]


def plan(operations: int, seed: int) -> list[Call]:
    """Every call with its interval, each process calling one after another."""
    rng = random.Random(seed)
    calls = _setup(rng)
    start = len(calls) / 1e3
    roles: dict[str, Callable[[Process], tuple[str, dict[str, Any]]]] = {}
    queue: list[tuple[float, str]] = []
    processes: dict[str, Process] = {}
    for name, role in [(f"b{n}", _buyer) for n in range(BUYERS)] + [
        (f"a{n}", _admin) for n in range(ADMINS)
    ]:
        processes[name], roles[name] = Process(name, random.Random(rng.random())), role
        heapq.heappush(queue, (start + rng.uniform(0, 0.01), name))
    while len(calls) < operations:
        now, name = heapq.heappop(queue)
        process = processes[name]
        op, args = roles[name](process)
        process.made += 1
        latency = rng.lognormvariate(math.log(MEDIAN_LATENCY_S), 0.6)
        calls.append(Call(name, op, args, now, now + latency, now + rng.uniform(0, latency)))
        heapq.heappush(queue, (now + latency + rng.expovariate(1000), name))
    return calls


def _values(shop: Shop, c: Call) -> dict[tuple[str, str], Any]:
    """The records a write may change (an order's products too), with their values now."""
    kind = c.op.removeprefix("Create").removeprefix("Update").removeprefix("Delete")
    key = str(next(iter(c.args.values())))
    keys = [(kind, key)]
    if kind == "Order":
        held = shop.state.orders.get(key, {"products": []})["products"]
        wanted = c.args.get("data", {"products": []})["products"]
        keys += [("Product", line["PID"]) for line in [*held, *wanted]]
    return {key: shop.answer(f"Retrieve{key[0]}", {"ID": key[1]})["data"] for key in keys}


def record(
    calls: list[Call], seed: int, unknown_writes: float, stale_reads: float
) -> tuple[list[Operation], Shop, int]:
    """Answer the calls in the order they take effect; inject unknowns and stale reads."""
    rng, shop = random.Random(seed), Shop()
    before: dict[tuple[str, str], Any] = {}  # a record's value before its last write
    history: dict[int, Operation] = {}
    doctored = 0
    for index in sorted(range(len(calls)), key=lambda i: calls[i].point):
        c = calls[index]
        reading = c.op.startswith("Retrieve")
        if reading:
            result = shop.answer(c.op, c.args)
            past = before.get((c.op.removeprefix("Retrieve"), c.args["ID"]))
            if c.process != "setup" and rng.random() < stale_reads and past is not None:
                result, doctored = {"found": past is not None, "data": past}, doctored + 1
            outcome: Outcome = "ok"
        else:
            unknown = c.process != "setup" and rng.random() < unknown_writes
            changed = _values(shop, c)
            result = shop.answer(c.op, c.args, apply=not unknown or rng.random() < 0.5)
            for key, value in changed.items():
                if value != shop.answer(f"Retrieve{key[0]}", {"ID": key[1]})["data"]:
                    before[key] = value
            outcome = "unknown" if unknown else outcome_of(result["error"])
        history[index] = Operation(
            c.process, "s1", c.op, c.args, c.invoke, c.complete, outcome, result
        )
    return [history[i] for i in range(len(calls))], shop, doctored


def timed(label: str, action: Callable[[], Any], rows: list[tuple[str, float]]) -> Any:
    started = time.perf_counter()
    value = action()
    rows.append((label, time.perf_counter() - started))
    print(f"  {label}: {rows[-1][1]:.2f} s", file=sys.stderr)
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--unknown-writes", type=float, default=0.003, metavar="FRACTION")
    parser.add_argument("--stale-reads", type=float, default=0.002, metavar="FRACTION")
    options = parser.parse_args(argv)
    print("generating the history...", file=sys.stderr)
    calls = plan(options.operations, options.seed)
    history, shop, doctored = record(
        calls, options.seed, options.unknown_writes, options.stale_reads
    )
    final = shop.replicas("s1", "s2", "s3")
    stopped = max(o.complete for o in history)
    samples = (DigestSample(stopped + 0.05, {s: r.digest for s, r in final.servers.items()}),)
    replicas = Replicas(final.servers, samples, load_stopped=stopped)
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "history.jsonl.gz"
        timed("write_history", lambda: write_history(path, history), rows)
        size = path.stat().st_size
        history = timed("read_history", lambda: read_history(path), rows)
    timed("linearizability", lambda: check_linearizability(history), rows)
    timed("stock", lambda: check_stock(history, replicas), rows)
    timed("staleness", lambda: check_staleness(history), rows)
    timed("convergence", lambda: check_convergence(replicas, 10.0), rows)
    timed("sessions", lambda: check_sessions(history), rows)
    timed("lost_updates", lambda: check_lost_updates(history), rows)
    report = timed("check_all", lambda: check_all(history, replicas), rows)
    total = rows[-1][1]
    load = [o for o in history if o.process != "setup"]
    span = max(o.complete for o in load) - min(o.invoke for o in load)
    in_flight = sum(o.complete - o.invoke for o in load) / span
    print(f"\n{len(history)} operations ({size / 1e6:.1f} MB gzipped), ", end="")
    print(f"{sum(o.outcome == 'unknown' for o in history)} unknown, {doctored} doctored reads")
    print(f"{in_flight:.1f} calls in flight on average; anomalies found: {report.counts()}")
    print(f"stale reads {report.staleness.stale}, unexplained {report.staleness.unexplained}")
    print(f"\n{'step':<18}{'seconds':>9}")
    for label, seconds in rows:
        print(f"{label:<18}{seconds:>9.2f}")
    verdict = "meets" if total < TARGET_S else "MISSES"
    print(f"\ncheck_all {total:.2f} s {verdict} the target of {TARGET_S:.0f} s")
    return 0 if total < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
