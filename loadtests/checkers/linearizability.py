"""Per-key linearizability: a model's records, each searched alone, failures shrunk.

The checker's steps, for a model (client records by default: see `register`):

1. Partition: the model splits the history into keys (CIDs). Linearizability is
   compositional, so a history is linearizable when every key's sub-history is
   (Porcupine and Knossos partition the same way).
2. Search each key (`search`: Wing & Gong's search with Lowe's cache of seen
   states): OK, ILLEGAL, or UNKNOWN when the step budget ran out.
3. Shrink each ILLEGAL key (`shrink`) to a small sub-history that still fails,
   which is what a report shows, its operations in conflict (`culprits`) marked.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loadtests.checkers.evidence import MAX_EXAMPLES, Example, example
from loadtests.checkers.model import Model, Verdict
from loadtests.checkers.register import ClientRegister
from loadtests.checkers.search import SEARCH_BUDGET, linearizable
from loadtests.checkers.shrink import culprits, shrink
from loadtests.history import Operation

CLIENTS = ClientRegister()


@dataclass(frozen=True, slots=True)
class LinearizabilityResult:
    keys: int  # records checked
    operations: int  # operations that constrain them
    violations: tuple[Example, ...]  # one per non-linearizable key, its sub-history shrunk
    inconclusive: tuple[str, ...]  # keys whose search ran out of budget

    @property
    def non_linearizable(self) -> int:
        return len(self.violations)

    @property
    def examples(self) -> tuple[Example, ...]:
        return self.violations[:MAX_EXAMPLES]


def check_linearizability(
    history: Sequence[Operation],
    budget: int = SEARCH_BUDGET,
    model: Model[Any, Any] = CLIENTS,
) -> LinearizabilityResult:
    """`budget`: search steps per key before its verdict is "inconclusive"."""
    by_key = model.partition(history)
    violations, inconclusive = [], []
    for key, entries in by_key.items():
        verdict = linearizable(model, entries, budget)
        if verdict is Verdict.UNKNOWN:
            inconclusive.append(key)
        elif verdict is Verdict.ILLEGAL:
            failing, minimal = shrink(model, entries)
            what = (
                f"no order of these {len(failing)} operations on {model.name} {key!r} "
                f"explains their results{'' if minimal else ' (shrinking stopped early)'}"
            )
            positions = [entry.position for entry in failing]
            violations.append(example(history, key, what, positions, culprits(model, failing)))
    violations.sort(key=lambda e: e.indices[0])
    return LinearizabilityResult(
        keys=len(by_key),
        operations=sum(map(len, by_key.values())),
        violations=tuple(violations),
        inconclusive=tuple(sorted(inconclusive)),
    )
