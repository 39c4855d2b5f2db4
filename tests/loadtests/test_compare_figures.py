"""The comparison's figures on synthetic loads: HDR percentiles against a sorted list,
the load generator found saturated (or not), a sweep's stopping rules, and the verdict's
ties within the spread of repeated runs."""

import random
import subprocess
import sys
import time
from collections.abc import Sequence

import pytest

from loadtests.compare.cpu import CpuUse, CpuWatch, saturation, suggested_processes
from loadtests.compare.latencies import histogram, value_at
from loadtests.compare.model import LoadRun, StrategyRun
from loadtests.compare.plan import Sweep
from loadtests.compare.stats import Latency
from loadtests.compare.sweep import Point, stop_reason
from loadtests.compare.verdict import generator_warning, verdicts
from loadtests.history import Operation, Replicas, ReplicaState
from loadtests.percentiles import percentile
from tests.loadtests.synthetic import strategy_run


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hdr_percentiles_are_the_sorted_lists_own_values_to_3_digits(seed: int) -> None:
    rng = random.Random(seed)
    small = [rng.randrange(0, 2048) for _ in range(997)]  # below 2,048 µs: exact
    wide = [round(rng.lognormvariate(8, 2)) for _ in range(1999)]  # µs up to seconds
    for values in (small, wide):
        recorded = histogram(values)
        ordered = sorted(values)
        for fraction in (0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0):
            expected = percentile(ordered, fraction)
            got = value_at(recorded, fraction)
            if values is small:
                assert got == expected
            assert recorded.values_are_equivalent(got, expected)
            assert expected <= got <= expected * 1.001 + 1


def test_an_empty_histogram_has_no_percentile() -> None:
    with pytest.raises(ValueError, match="no values"):
        value_at(histogram(), 0.5)


def _ops(count: int, seconds: float, errors: int = 0, latency_s: float = 0.002) -> list[Operation]:
    """`count` reads spread evenly over `seconds`, the first `errors` of them failed."""
    step = seconds / count
    return [
        Operation(
            "u1", "s1", "RetrieveProduct", {"ID": "p1"}, n * step, n * step + latency_s,
            "fail" if n < errors else "ok",
            {"found": False, "data": None} if n < errors else {"found": True, "data": {}},
        )
        for n in range(count)
    ]  # fmt: skip


def _load(
    count: int,
    seconds: float,
    rate: float | None,
    cpu: float,
    *,
    repeat: int = 0,
    latency_s: float = 0.002,
) -> LoadRun:
    history = tuple(_ops(count, seconds, latency_s=latency_s))
    return LoadRun(4, history, (), rate=rate, repeat=repeat, cpu=CpuUse((0.1, cpu), {"s1": 0.3}))


def test_a_generator_that_used_most_of_a_core_is_saturated() -> None:
    assert saturation(0.93, None, 500.0) == ["a load generator process used 93% of a core"]
    assert saturation(0.5, None, 500.0) == []
    assert _load(1000, 2.0, None, 0.95).saturation()
    assert not _load(1000, 2.0, None, 0.40).saturation()


def test_an_open_loop_that_sent_less_than_offered_is_saturated() -> None:
    assert saturation(0.3, 400.0, 300.0) == ["it sent 300 of the 400 calls/s offered"]
    assert saturation(0.3, 400.0, 390.0) == []  # within 10% of the schedule
    short = _load(600, 2.0, 400.0, 0.3)  # 300 calls/s sent
    assert short.saturation() == ["it sent 300 of the 400 calls/s offered"]
    assert not _load(800, 2.0, 400.0, 0.3).saturation()


def _strategy(name: str, *loads: LoadRun) -> StrategyRun:
    run = strategy_run(name, [], Replicas({"s1": ReplicaState("d", {})}))
    history = tuple(o for load in loads for o in load.history)
    return StrategyRun(
        run.name,
        run.strategy,
        run.consistency,
        run.servers,
        {},
        loads,
        history,
        run.replicas,
        run.report,
    )


def test_the_warning_names_the_saturated_runs_and_suggests_more_processes() -> None:
    calm = _strategy("calm", _load(800, 2.0, 400.0, 0.3))
    busy = _strategy("busy", _load(800, 2.0, 400.0, 0.96))
    assert generator_warning([calm], processes=1) is None
    warning = generator_warning([calm, busy], processes=1)
    assert warning is not None
    assert "set the pace in 1 of 2 load runs" in warning
    assert (
        "busy with 4 users at 400 calls/s: a load generator process used 96% of a core" in warning
    )
    assert "--processes 2" in warning
    assert suggested_processes(2, 0.96) == 4


def test_the_watch_tells_a_busy_process_from_an_idle_one() -> None:
    spin = "import time\nend = time.monotonic() + 30\nwhile time.monotonic() < end: pass"
    busy = subprocess.Popen([sys.executable, "-c", spin])
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        watch = CpuWatch(busy.pid, lambda: [("idle", idle.pid)])
        watch.begin()
        time.sleep(1.5)  # the span watched: a few samples, each half a second
        used = watch.finish()
        assert used.watched_s >= 1.5
        assert used.nodes["idle"] < 0.05
        assert used.generator_share > max(0.1, 3 * used.nodes["idle"])
    finally:
        for process in (busy, idle):
            process.kill()
            process.wait()


def _point(offered: float, p99: float, errors: int = 0, pegged: Sequence[str] = ()) -> Point:
    latency = Latency(p50=p99 / 4, p95=p99 / 2, p99=p99, max=p99 * 2)
    return Point(offered, offered * 0.99, offered, latency, 1000, errors, tuple(pegged))


def test_a_sweep_goes_on_while_every_bound_holds() -> None:
    assert stop_reason(_point(100, 40.0, errors=10), Sweep()) is None


def test_a_sweep_stops_past_the_p99_bound_the_error_share_or_a_saturated_generator() -> None:
    bounds = Sweep(p99_ms=250.0, error_share=0.05)
    late = stop_reason(_point(400, 260.0), bounds)
    assert late == "at 400 calls/s offered the p99 latency, 260 ms, passed the bound of 250 ms"
    failing = stop_reason(_point(400, 40.0, errors=51), bounds)
    assert failing is not None and "5.1% of the calls failed" in failing
    pegged = stop_reason(
        _point(800, 40.0, pegged=["a load generator process used 97% of a core"]), bounds
    )
    assert pegged is not None and "the load generator saturated" in pegged
    assert stop_reason(_point(400, 250.0, errors=50), bounds) is None  # at the bounds: kept


def test_sweep_rates_grow_by_the_factor() -> None:
    assert [Sweep(start=50, factor=2).rate(k) for k in range(4)] == [50, 100, 200, 400]


def _repeated(name: str, latencies_s: Sequence[float]) -> StrategyRun:
    loads = [
        _load(400, 1.0, None, 0.3, repeat=r, latency_s=latency)
        for r, latency in enumerate(latencies_s)
    ]
    return _strategy(name, *loads)


def test_differences_inside_the_spread_of_repeats_are_ties() -> None:
    fast = _repeated("fast", [0.010, 0.014])
    close = _repeated("close", [0.012, 0.016])  # overlaps fast's 10-14 ms
    found = {v.strategy: v for v in verdicts([fast, close], sweep=None)}
    p50 = next(c for c in found["close"].cost if c.startswith("p50"))
    assert "tied with fast (within the spread)" in p50
    assert next(c for c in found["fast"].cost if c.startswith("p50")).endswith("the best")


def test_differences_outside_the_spread_are_ratios_to_the_best() -> None:
    fast = _repeated("fast", [0.010, 0.011])
    slow = _repeated("slow", [0.030, 0.033])
    found = {v.strategy: v for v in verdicts([fast, slow], sweep=None)}
    p50 = next(c for c in found["slow"].cost if c.startswith("p50"))
    assert "3.00x fast's" in p50 and "tied" not in p50


def test_one_run_each_calls_no_tie() -> None:
    one = _repeated("one", [0.010])
    other = _repeated("other", [0.0101])
    found = {v.strategy: v for v in verdicts([one, other], sweep=None)}
    assert not any("tied" in c for c in found["other"].cost)
    assert found["one"].held and not found["one"].broke
