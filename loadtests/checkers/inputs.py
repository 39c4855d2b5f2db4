"""Requests on whose validity the service and the checkers' reading disagree.

The checkers read every write request themselves (`reading`, from SPEC.md); the
service's reply says how it read it. They disagree when:

- accepted invalid: the service acknowledged a request SPEC.md refuses;
- refused valid: it answered 400 to a request SPEC.md allows;
- refused otherwise: it refused a request SPEC.md refuses, but not with 400
  (SPEC.md: "a request that breaks an input rule gets 400 even when it would also
  be refused for a missing or conflicting record").

Either reading may be the wrong one: the count says only that one of the two
parsers has a bug, which the checkers that rely on their own reading would
otherwise be judging with. Undecided readings and unknown outcomes are not judged.
"""

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from loadtests.checkers.evidence import MAX_EXAMPLES, Example, example
from loadtests.checkers.reading import (
    Invalid,
    Reading,
    Undecided,
    Valid,
    client_data,
    identifier,
    new_identifier,
    order_lines,
    product_data,
)
from loadtests.history import Operation

Args = Mapping[str, Any]
_READERS: Final[dict[str, Callable[[Args], list[Reading[Any]]]]] = {
    "CreateClient": lambda a: [
        new_identifier("client ID", a.get("CID")),
        client_data(a.get("data")),
    ],
    "UpdateClient": lambda a: [identifier("client ID", a.get("CID")), client_data(a.get("data"))],
    "DeleteClient": lambda a: [identifier("client ID", a.get("ID"))],
    "CreateProduct": lambda a: [
        new_identifier("product ID", a.get("PID")),
        product_data(a.get("data")),
    ],
    "UpdateProduct": lambda a: [
        identifier("product ID", a.get("PID")),
        product_data(a.get("data")),
    ],
    "DeleteProduct": lambda a: [identifier("product ID", a.get("ID"))],
    "CreateOrder": lambda a: [
        new_identifier("order ID", a.get("OID")),
        identifier("client ID", a.get("CID")),
        order_lines(a.get("data")),
    ],
    "UpdateOrder": lambda a: [
        identifier("order ID", a.get("OID")),
        identifier("client ID", a.get("CID")),
        order_lines(a.get("data")),
    ],
    "DeleteOrder": lambda a: [identifier("order ID", a.get("ID"))],
}
KINDS: Final = ("accepted_invalid", "refused_valid", "refused_otherwise")


@dataclass(frozen=True, slots=True)
class InputsResult:
    requests: int  # write requests judged: answered, and read as valid or invalid
    by_kind: Mapping[str, int]  # each of KINDS
    examples: tuple[Example, ...]

    @property
    def disagreements(self) -> int:
        return sum(self.by_kind.values())


def read_request(o: Operation) -> Reading[None]:
    """The checkers' reading of a write request: Invalid if any part is, then Undecided."""
    parts = _READERS[o.op](o.args)
    for kind in (Invalid, Undecided):
        found = [part for part in parts if isinstance(part, kind)]
        if found:
            return found[0]
    return Valid(None)


def _disagreement(o: Operation, reading: Reading[None]) -> str | None:
    error = o.result.get("error")
    if isinstance(reading, Invalid) and o.outcome == "ok":
        return "accepted_invalid"
    if isinstance(reading, Valid) and o.outcome == "fail" and error == 400:
        return "refused_valid"
    refused = o.outcome == "fail" and isinstance(error, int) and 400 < error < 500
    if isinstance(reading, Invalid) and refused:
        return "refused_otherwise"
    return None


def check_inputs(history: Sequence[Operation]) -> InputsResult:
    found: Counter[str] = Counter()
    examples: list[Example] = []
    requests = 0
    for i, o in enumerate(history):
        if o.op not in _READERS or o.outcome == "unknown":
            continue
        reading = read_request(o)
        if isinstance(reading, Undecided):
            continue
        requests += 1
        kind = _disagreement(o, reading)
        if kind is None:
            continue
        found[kind] += 1
        if len(examples) < MAX_EXAMPLES:
            said = reading.reason if isinstance(reading, Invalid) else "SPEC.md allows it"
            what = f"{o.op} of {o.key!r} got {o.result.get('error')}; the checkers' reading: {said}"
            examples.append(example(history, str(o.key), what, [i]))
    return InputsResult(requests, {kind: found[kind] for kind in KINDS}, tuple(examples))
