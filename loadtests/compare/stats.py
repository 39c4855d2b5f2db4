"""Throughput, latency percentiles and error counts, from the history's raw floats.

Locust rounds response times to whole milliseconds; the history keeps
time.monotonic() readings, so every number here comes from it. A latency runs from
when the call was due (open loop) or sent (closed loop) to its reply, and its
percentiles come from an HDR histogram (`latencies`). A load run's
duration is its history's span: from the first call's invoke to the last reply.

An operation is an error when the service did not do its job: a timeout, a
transport failure, a 503, a 500, a read that failed. A business refusal (4xx: not
enough stock, an ID that exists) is the service working, so it is counted apart
as refused. Every other operation is a success: outcome "ok", or a refusal.
Throughput counts successes only: a failed call is no work done.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from loadtests.compare.latencies import of_operations, value_at
from loadtests.history import Operation, business_refusal


@dataclass(frozen=True, slots=True)
class Latency:
    """Milliseconds: nearest-rank percentiles of `Operation.latency_s` (3 significant
    digits, `latencies`) and the exact maximum."""

    p50: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True, slots=True)
class Summary:
    operations: int
    errors: int
    refused: int
    duration_s: float
    latency_ms: Latency | None  # None without operations

    @property
    def succeeded(self) -> int:
        return self.operations - self.errors

    @property
    def throughput_ops_s(self) -> float:
        """Successes per second."""
        return self.succeeded / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def issued_ops_s(self) -> float:
        """Calls sent per second, whatever became of them: what the generator kept up."""
        return self.operations / self.duration_s if self.duration_s > 0 else 0.0


def is_refusal(o: Operation) -> bool:
    return o.outcome == "fail" and business_refusal(o.result.get("error"))


def is_error(o: Operation) -> bool:
    return o.outcome != "ok" and not is_refusal(o)


def is_success(o: Operation) -> bool:
    return not is_error(o)


def span(history: Sequence[Operation]) -> float:
    if not history:
        return 0.0
    return max(o.complete for o in history) - min(o.invoke for o in history)


def latency(history: Sequence[Operation]) -> Latency | None:
    if not history:
        return None
    recorded = of_operations(history)
    return Latency(
        p50=value_at(recorded, 0.50) / 1000,
        p95=value_at(recorded, 0.95) / 1000,
        p99=value_at(recorded, 0.99) / 1000,
        max=max(o.latency_s for o in history) * 1000,  # exact: the histogram's is its bucket's
    )


def summarize(history: Sequence[Operation], duration_s: float) -> Summary:
    return Summary(
        operations=len(history),
        errors=sum(map(is_error, history)),
        refused=sum(map(is_refusal, history)),
        duration_s=duration_s,
        latency_ms=latency(history),
    )


def by_operation(history: Sequence[Operation], duration_s: float) -> dict[str, Summary]:
    """One summary per RPC, over the same duration (so their throughputs add up)."""
    groups: dict[str, list[Operation]] = defaultdict(list)
    for o in history:
        groups[o.op].append(o)
    return {op: summarize(groups[op], duration_s) for op in sorted(groups)}
