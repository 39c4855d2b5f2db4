"""Histories recorded from the real state machine pass every checker; doctored ones fail.

Requests are drawn over a small ID space and answered by `core.domain` one after
another, so every history is linearizable by construction. Sequential histories
give each operation its own time slot; overlapping ones stretch each interval
around its slot (linearization point) at random, so the checkers must find the
order themselves (except between the writes of one order, which its owner makes
one after another), and make some writes time out with an unknown outcome.
"""

import json
import math
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from loadtests.checkers import Report, check_all
from loadtests.history import Operation, outcome_of
from tests.loadtests.support import Shop

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CIDS, PIDS, OIDS = ("c1", "c2"), ("p1", "p2"), ("o1", "o2", "o3")
cids, pids, oids = st.sampled_from(CIDS), st.sampled_from(PIDS), st.sampled_from(OIDS)
Request = tuple[str, dict[str, Any]]

clients = st.sampled_from(
    [{"name": n} for n in ("Ana", "Bia", "Cid")] + [{"name": "Bia", "age": 30}]
)
stocks = st.builds(
    lambda n, form: {"int": n, "str": str(n), "float": float(n)}[form],
    st.integers(0, 8),
    st.sampled_from(["int", "str", "float"]),
)
products = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["pen", "ink"]),
        "price": st.sampled_from([1, "2.5"]),
        "quantity": stocks,
    }
)
# Both forms of SPEC.md, quantities as numbers or strings, a PID often named twice.
orders = st.builds(
    lambda lines, listed: (
        [{"id": pid, "quantity": q} for pid, q in lines]
        if listed
        else {"products": [{"PID": pid, "quantity": q} for pid, q in lines]}
    ),
    st.lists(st.tuples(pids, st.one_of(st.integers(0, 4), st.integers(0, 4).map(str))), max_size=3),
    st.booleans(),
)


def request(op: str, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[Request]:
    return st.tuples(st.just(op), st.fixed_dictionaries(fields))


REQUESTS: list[tuple[st.SearchStrategy[Request], int]] = [
    (request("CreateClient", CID=cids, data=clients), 2),
    (request("UpdateClient", CID=cids, data=clients), 2),
    (request("DeleteClient", ID=cids), 1),
    (request("RetrieveClient", ID=cids), 4),
    (request("CreateProduct", PID=pids, data=products), 2),
    (request("UpdateProduct", PID=pids, data=products), 1),
    (request("DeleteProduct", ID=pids), 1),
    (request("RetrieveProduct", ID=pids), 4),
    (request("CreateOrder", OID=oids, CID=cids, data=orders), 4),
    (request("UpdateOrder", OID=oids, CID=cids, data=orders), 3),
    (request("DeleteOrder", ID=oids), 1),
    (request("RetrieveOrder", ID=oids), 3),
]
# The shop opens with every client and product, so that orders often succeed.
opening = st.tuples(
    *(request("CreateClient", CID=st.just(cid), data=clients) for cid in CIDS),
    *(request("CreateProduct", PID=st.just(pid), data=products) for pid in PIDS),
)
requests = st.builds(
    lambda first, then: [*first, *then],
    opening,
    st.lists(
        st.sampled_from([kind for kind, weight in REQUESTS for _ in range(weight)]).flatmap(
            lambda kind: kind
        ),
        min_size=5,
        max_size=50,
    ),
)


def perform(shop: Shop, slot: int, op: str, args: dict[str, Any], apply: bool = True) -> Operation:
    """The request answered in time slot `slot`, alone."""
    result = shop.answer(op, args, apply=apply)
    outcome = "ok" if op.startswith("Retrieve") else outcome_of(result["error"])
    return Operation("p1", "s1", op, args, 2 * slot, 2 * slot + 1, outcome, result)


def assert_clean(report: Report, *, explained: bool = True) -> None:
    assert report.linearizability.violations == ()
    assert report.linearizability.inconclusive == ()
    assert report.staleness.stale == 0, report.staleness.examples
    assert report.staleness.unexplained == 0 or not explained
    assert report.stock.negative_reads == 0
    assert report.stock.oversold_units == 0
    assert report.stock.lost_units == 0, report.stock.products
    assert report.convergence is not None and report.convergence.converged
    assert report.inputs.disagreements == 0, report.inputs.examples
    sessions = report.sessions
    assert (sessions.read_your_writes, sessions.monotonic_reads) == (0, 0), sessions
    assert report.updates.lost == 0, report.updates.examples


@SETTINGS
@given(requests)
def test_sequential_histories_pass_every_checker(drawn: list[Request]) -> None:
    shop = Shop()
    history = [perform(shop, slot, op, args) for slot, (op, args) in enumerate(drawn)]
    report = check_all(history, shop.replicas("s1", "s2"))
    assert_clean(report)
    # Without unknowns or overlaps the expected stock is exact.
    for pid, product in report.stock.products.items():
        assert product.expected == (product.replicas["s1"],) * 2, pid


@SETTINGS
@given(requests, st.data())
def test_overlapping_histories_with_unknown_outcomes_pass_every_checker(
    drawn: list[Request], data: st.DataObject
) -> None:
    shop = Shop()
    history = []
    order_ends: dict[str, float] = {}  # OID -> when its last write returned
    for slot, (op, args) in enumerate(drawn):
        before, after = (data.draw(st.floats(0, 2.5)) for _ in range(2))
        if op in {"CreateOrder", "UpdateOrder", "DeleteOrder"}:
            # An order's writes come from its one owner, one at a time.
            oid = args["OID"] if "OID" in args else args["ID"]
            after = min(after, 0.45)
            before = min(before, slot - order_ends.get(oid, -math.inf) - 0.01)
            order_ends[oid] = slot + after
        unknown = not op.startswith("Retrieve") and data.draw(st.integers(0, 9)) == 0
        landed = unknown and data.draw(st.booleans())
        answered = perform(shop, slot, op, args, apply=landed or not unknown)
        history.append(
            replace(
                answered,
                process=f"p{slot}",
                invoke=slot - before,
                complete=slot + after,
                outcome="unknown" if unknown else answered.outcome,
            )
        )
    assert_clean(check_all(history, shop.replicas("s1")))


def meaning(op: str, data: Any) -> Any:
    """What a read tells about its record, as a person would compare two of them."""
    if data is None:
        return None
    if op == "RetrieveProduct":
        return json.dumps({**data, "quantity": int(float(data["quantity"]))}, sort_keys=True)
    if op == "RetrieveOrder":
        return data["CID"], sorted((line["PID"], line["quantity"]) for line in data["products"])
    return json.dumps(data, sort_keys=True)


@SETTINGS
@given(requests, st.data())
def test_a_read_of_an_older_value_is_caught(drawn: list[Request], data: st.DataObject) -> None:
    shop = Shop()
    history: list[Operation] = []
    older: dict[int, list[Any]] = {}  # position of a read -> values its record had before
    timelines: dict[tuple[str, str], list[Any]] = {}
    for slot, (op, args) in enumerate(drawn):
        history.append(perform(shop, slot, op, args))
        for read in ("RetrieveClient", "RetrieveProduct", "RetrieveOrder"):
            for key in {"RetrieveClient": CIDS, "RetrieveProduct": PIDS}.get(read, OIDS):
                value = shop.answer(read, {"ID": key})["data"]
                timeline = timelines.setdefault((read, key), [None])
                if meaning(read, value) != meaning(read, timeline[-1]):
                    timeline.append(value)
        if op.startswith("Retrieve") and op != "RetrieveClientOrders":
            now = meaning(op, history[-1].result["data"])
            past = timelines[op, args["ID"]][:-1]
            if values := [value for value in past if meaning(op, value) != now]:
                # "Not found" is an older value of nearly every read: prefer the others.
                older[slot] = [value for value in values if value is not None] or values
    assume(older)
    slot = data.draw(st.sampled_from(sorted(older)))
    value = data.draw(st.sampled_from(older[slot]))
    doctored = replace(history[slot], result={"found": value is not None, "data": value})
    history[slot] = doctored
    report = check_all(history, shop.replicas("s1"))
    assert report.staleness.stale == 1
    assert report.staleness.examples[0].indices[-1] == slot
    if doctored.op == "RetrieveClient":
        assert report.linearizability.non_linearizable == 1
        assert slot in report.linearizability.violations[0].indices
