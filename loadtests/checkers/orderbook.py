"""What each order write did: the order's possible values after it, and the stock it moved.

UpdateOrder sets absolute quantities, so what a write does depends on the order
before it. Each order's writes are replayed in the order they completed (an
order's writes come from the one client that owns it, one after another; an
unknown write is placed at its start) over the set of states the order may be in:
absent, or a set of lines. An acknowledged write landed on one of the states that
accept it (a create on absent, an update or delete on an existing order); an
unknown one may also have done nothing. So every write gets the possible values of
the order after it, and per product the least and most units it took from stock
(negative: gave back); the truth always lies within, as long as an order has at
most `MAX_POSSIBLE` possible states (more are dropped) and did not exist before
the history began. What an order request asks for is the checkers' own reading of
it (`reading`), never the service's.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from loadtests.checkers.reading import Lines, Valid, order_lines
from loadtests.checkers.records import ABSENT, Value, order_value
from loadtests.history import Operation

WRITES: Final = frozenset({"CreateOrder", "UpdateOrder", "DeleteOrder"})
MAX_POSSIBLE: Final = 8

State = Lines | None  # None: there is no such order


@dataclass(frozen=True, slots=True)
class OrderWrite:
    index: int  # position in the history
    oid: str
    values: tuple[Value, ...]  # what the order may be after it lands (ABSENT once deleted)
    taken: dict[str, tuple[int, int]]  # PID -> least and most units it took from stock


def order_writes(history: Sequence[Operation]) -> list[OrderWrite]:
    """The effect of every acknowledged or unknown order write."""

    def placed_at(i: int) -> float:
        o = history[i]
        return o.invoke if o.outcome == "unknown" else o.complete

    writes = [
        i
        for i, o in enumerate(history)
        if o.op in WRITES and o.outcome != "fail" and o.key is not None
    ]
    possible: dict[str, list[State]] = {}  # OID -> the states it may be in
    effects = []
    for i in sorted(writes, key=lambda i: (placed_at(i), i)):
        effect = _effect(i, history[i], possible)
        if effect is not None:
            effects.append(effect)
    return effects


def _lands(op: str, wanted: Lines, before: State) -> tuple[bool, State]:
    """Whether `op` is accepted on an order in state `before`, and the state after."""
    if op == "CreateOrder":
        return before is None, wanted
    if op == "DeleteOrder":
        return before is not None, None
    if before is None:
        return False, None
    return True, {pid: q for pid, q in {**before, **wanted}.items() if q}


def _effect(i: int, o: Operation, possible: dict[str, list[State]]) -> OrderWrite | None:
    oid, cid = o.key, o.args.get("CID")
    assert oid is not None
    if o.op == "DeleteOrder":
        wanted: Lines = {}
    elif isinstance(reading := order_lines(o.args.get("data")), Valid) and isinstance(cid, str):
        wanted = reading.value
    else:
        return None  # SPEC.md refuses it before any replica sees it (`inputs` says if one did)
    states = possible.get(oid, [None])
    landed = [(s, after) for s in states for ok, after in [_lands(o.op, wanted, s)] if ok]
    if not landed and o.outcome == "ok":  # a state this replay did not foresee
        unforeseen: State = None if o.op == "CreateOrder" else {}
        landed = [(unforeseen, _lands(o.op, wanted, unforeseen)[1])]
    if not landed:
        return None  # refused wherever it landed
    moves = landed if o.outcome == "ok" else landed + [(s, s) for s in states]
    after = [state for _, state in moves]
    possible[oid] = [s for n, s in enumerate(after) if s not in after[:n]][:MAX_POSSIBLE]
    values = [ABSENT if s is None else order_value(str(cid), s) for _, s in landed]
    taken: dict[str, tuple[int, int]] = {}
    for pid in {pid for move in moves for state in move for pid in state or {}}:
        units = [(now or {}).get(pid, 0) - (before or {}).get(pid, 0) for before, now in moves]
        if any(units):
            taken[pid] = (min(units), max(units))
    return OrderWrite(i, oid, tuple(dict.fromkeys(values)), taken)
