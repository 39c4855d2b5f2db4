"""Stock: never negative in a read, and on every replica what the acknowledged orders leave.

The expected final stock of each product is a range (see `ledger`): unknown
outcomes, and orders that overlap an UpdateProduct, may or may not count. Then:

- oversold units: how far the acknowledged orders go past the stock there was,
  max(0, -high), counted from the product's last UpdateProduct (which sets the
  stock outright);
- lost units, per replica: how far its final stock lies outside the expected range
  clamped at 0, i.e. acknowledged stock changes it does not show (the clamp keeps
  oversold units from being counted again: no replica can hold negative stock).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from loadtests.checkers.evidence import MAX_EXAMPLES, Example, example
from loadtests.checkers.ledger import Ledger, ledgers
from loadtests.checkers.records import stock
from loadtests.history import Operation, Replicas


@dataclass(frozen=True, slots=True)
class ProductStock:
    expected: tuple[int, int]  # final stock, lowest and highest the history allows
    replicas: Mapping[str, int]  # final stock per server
    oversold: int
    lost: Mapping[str, int]  # units per server


@dataclass(frozen=True, slots=True)
class StockResult:
    products: Mapping[str, ProductStock]  # the products whose stock the history determines
    negative_reads: int
    oversold_units: int
    lost_units: int  # per product the most units any replica lost, summed
    lost_units_by_replica: Mapping[str, int]
    examples: tuple[Example, ...]  # a few of each kind: negative reads, oversold, lost


def _lost(actual: int, low: int, high: int) -> int:
    low, high = max(low, 0), max(high, 0)
    return actual - high if actual > high else low - actual if actual < low else 0


def _last_orders(ledger: Ledger) -> list[int]:
    return [delta.index for delta in ledger.sure[-3:]]


def check_stock(
    history: Sequence[Operation],
    replicas: Replicas | None = None,
    initial_stock: Mapping[str, int] | None = None,
) -> StockResult:
    """`initial_stock`: products set up before the history began, PID -> stock."""
    negatives: list[Example] = []
    oversold: list[Example] = []
    losses: list[Example] = []
    negative = 0
    for i, o in enumerate(history):
        if o.op == "RetrieveProduct" and o.outcome == "ok" and o.result.get("found"):
            quantity = stock(o.result.get("data"))
            if quantity is not None and quantity < 0:
                negative += 1
                what = f"a read of product {o.key!r} returned a stock of {quantity}"
                negatives.append(example(history, str(o.key), what, [i]))
    servers = {} if replicas is None else replicas.servers
    products: dict[str, ProductStock] = {}
    by_replica: dict[str, int] = defaultdict(int)
    for pid, ledger in sorted(ledgers(history, initial_stock or {}).items()):
        expected = ledger.final()
        if expected is None:
            continue
        low, high = expected
        finals = {name: s.stock[pid] for name, s in servers.items() if pid in s.stock}
        lost = {name: _lost(actual, low, high) for name, actual in finals.items()}
        products[pid] = ProductStock(expected, finals, max(0, -high), lost)
        if -high > 0:
            what = f"acknowledged orders of product {pid!r} took {-high} units it did not have"
            oversold.append(example(history, pid, what, _last_orders(ledger)))
        for name, units in lost.items():
            by_replica[name] += units
            if units:
                what = (
                    f"{name} ends with {finals[name]} units of product {pid!r}; "
                    f"the acknowledged writes leave {max(low, 0)} to {max(high, 0)}"
                )
                losses.append(example(history, pid, what, _last_orders(ledger)))
    return StockResult(
        products=products,
        negative_reads=negative,
        oversold_units=sum(p.oversold for p in products.values()),
        lost_units=sum(max(p.lost.values(), default=0) for p in products.values()),
        lost_units_by_replica=dict(by_replica),
        examples=(*negatives[:MAX_EXAMPLES], *oversold[:MAX_EXAMPLES], *losses[:MAX_EXAMPLES]),
    )
