"""Convergence: once the load stops, the replicas of each group reach one digest in time.

Digests are compared within a replica group only (all servers of mqtt-broadcast or
Raft form one; a partitioned strategy has one per partition). In each group the final
digests decide who diverges: the replicas whose digest differs from the group's most
common one (ties go to the smallest digest, so the verdict is stable). The digest
polls decide when they agreed: the first poll from which every later poll, and the
final snapshot, show one digest per group on every replica.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from loadtests.history import DigestSample, Replicas


@dataclass(frozen=True, slots=True)
class ConvergenceResult:
    converged: bool  # every group's final digests equal, within the settle timeout when timed
    replicas: int
    divergent: int  # replicas whose final digest differs from their group's majority
    divergent_servers: tuple[str, ...]
    majority_digest: str | None  # the majority of the first group (by name); one group, usually
    time_to_converge: float | None  # seconds after the load stopped; None if untimed


def _majority(digests: Mapping[str, str]) -> str:
    counts = Counter(digests.values())
    return min(counts, key=lambda d: (-counts[d], d))


def _agree(sample: DigestSample, majorities: Mapping[str, str], groups: Mapping[str, str]) -> bool:
    return sample.digests.keys() >= groups.keys() and all(
        sample.digests[name] == majorities[group] for name, group in groups.items()
    )


def check_convergence(replicas: Replicas, settle_timeout: float) -> ConvergenceResult:
    groups = {name: state.group for name, state in replicas.servers.items()}
    finals: dict[str, dict[str, str]] = {}
    for name, state in replicas.servers.items():
        finals.setdefault(state.group, {})[name] = state.digest
    majorities = {group: _majority(digests) for group, digests in finals.items()}
    divergent = tuple(
        sorted(
            name
            for group, digests in finals.items()
            for name, digest in digests.items()
            if digest != majorities[group]
        )
    )
    time = None
    if replicas.load_stopped is not None and not divergent:
        for sample in reversed(replicas.samples):
            if not _agree(sample, majorities, groups):
                break
            time = max(sample.time - replicas.load_stopped, 0.0)
    timed = replicas.load_stopped is not None and bool(replicas.samples)
    first = min(majorities) if majorities else None
    return ConvergenceResult(
        converged=not divergent and (not timed or (time is not None and time <= settle_timeout)),
        replicas=len(groups),
        divergent=len(divergent),
        divergent_servers=divergent,
        majority_digest=None if first is None else majorities[first],
        time_to_converge=time,
    )
