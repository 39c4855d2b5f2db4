"""Every random choice of a comparison, derived from its one seed.

A load run's scenario seed and the draws that pick each fault's node come from
`derive(plan.seed, ...)`: the same seed gives the same workload and the same fault
choices, so a run can be replayed. The derivation hashes with SHA-256 rather than
`hash()`, which Python salts per process. The labels name the load run (its place
in the strategy's sequence), not the strategy: every strategy of one comparison
meets the same workload and the same draws, so what differs between them is the
strategy, not the dice.
"""

import hashlib
import random

SEED_BITS = 31  # a scenario seed prefixes the run's IDs (`r<seed>-`): kept short


def derive(seed: int, *labels: object) -> int:
    """A sub-seed for what `labels` name, stable across processes and Python versions."""
    text = "/".join(str(part) for part in (seed, *labels))
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") % (1 << SEED_BITS)


def load_seed(seed: int, index: int) -> int:
    """The scenario seed of a strategy's `index`-th load run (its IDs differ per run)."""
    return derive(seed, "load", index)


def fault_draws(seed: int, index: int, count: int) -> tuple[float, ...]:
    """One draw in [0, 1) per fault of the `index`-th load run: which candidate it strikes."""
    rng = random.Random(derive(seed, "faults", index))
    return tuple(rng.random() for _ in range(count))
