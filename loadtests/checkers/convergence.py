"""Convergence: once the load stops, every replica reaches the same digest in time.

The final digests decide who diverges: the replicas whose digest differs from the
most common one (ties go to the smallest digest, so the verdict is stable). The
digest polls decide when they agreed: the first poll from which every later poll,
and the final snapshot, show one digest on every server.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from loadtests.history import Replicas


@dataclass(frozen=True, slots=True)
class ConvergenceResult:
    converged: bool  # all final digests equal, within the settle timeout when timed
    replicas: int
    divergent: int  # replicas whose final digest differs from the majority's
    divergent_servers: tuple[str, ...]
    majority_digest: str | None
    time_to_converge: float | None  # seconds after the load stopped; None if untimed


def _agree(digests: Mapping[str, str], servers: set[str], digest: str | None) -> bool:
    return digests.keys() >= servers and {*digests.values()} == {digest}


def check_convergence(replicas: Replicas, settle_timeout: float) -> ConvergenceResult:
    finals = {name: state.digest for name, state in replicas.servers.items()}
    counts = Counter(finals.values())
    majority = min(counts, key=lambda d: (-counts[d], d)) if counts else None
    divergent = tuple(sorted(name for name, d in finals.items() if d != majority))
    servers = set(finals)
    time = None
    if replicas.load_stopped is not None and not divergent:
        for sample in reversed(replicas.samples):
            if not _agree(sample.digests, servers, majority):
                break
            time = max(sample.time - replicas.load_stopped, 0.0)
    timed = replicas.load_stopped is not None and bool(replicas.samples)
    return ConvergenceResult(
        converged=not divergent and (not timed or (time is not None and time <= settle_timeout)),
        replicas=len(finals),
        divergent=len(divergent),
        divergent_servers=divergent,
        majority_digest=majority,
        time_to_converge=time,
    )
