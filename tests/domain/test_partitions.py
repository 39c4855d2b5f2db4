"""The state split into partitions decides exactly as one `State` does."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain import commands as c
from core.domain import decide, execute
from core.domain.partitions import (
    INDEXES,
    Key,
    Value,
    by_partition,
    footprint,
    needs_order,
    partition_of,
    value_of,
    view,
    writes,
)
from core.domain.state import State

CIDS = ("1", "2", "ana")
PIDS = ("1", "2", "3", "caneta")
OIDS = ("1", "2", "10", "pedido")


def test_an_id_of_ascii_digits_belongs_to_its_number_mod_p() -> None:
    assert [partition_of(i, 2) for i in ("0", "1", "10", "7", "007")] == [0, 1, 0, 1, 1]
    assert partition_of("12", 5) == 2


def test_any_other_id_belongs_to_its_sha256_prefix_mod_p() -> None:
    fullwidth_twelve = "\uff11\uff12"  # digits, but not ASCII ones
    for identifier in ("ana", "caneta", fullwidth_twelve, "-3", "1.5"):
        prefix = hashlib.sha256(identifier.encode("utf-8")).digest()[:8]
        assert partition_of(identifier, 2) == int.from_bytes(prefix, "big") % 2


def test_an_order_names_the_records_of_its_client_and_products() -> None:
    keys = footprint(c.CreateOrder("9", "1", (("2", 1), ("caneta", 3))))
    assert ("clients", "1") in keys and ("client_orders", "1") in keys
    assert {("products", "caneta"), ("product_refs", "caneta"), ("units_held", "2")} <= keys
    assert len(by_partition(dict.fromkeys(keys), 2)) == 2  # it spans both partitions


def test_an_order_update_needs_the_order_to_know_its_footprint() -> None:
    update = c.UpdateOrder("9", "1", (("2", 0),))
    assert needs_order(update) and footprint(update) == {("orders", "9")}
    stored = {"CID": "1", "products": [{"PID": "3", "name": "x", "quantity": 1, "price": 1}]}
    assert {("client_orders", "1"), ("products", "3"), ("products", "2")} <= footprint(
        update, stored
    )


def test_effects_outside_the_footprint_are_refused() -> None:
    create = c.CreateClient("1", {"name": "a"})
    outcome = decide(create, State())
    try:
        writes({}, outcome.effects)
    except ValueError as error:
        assert "outside the footprint" in str(error)
    else:
        raise AssertionError("writes accepted effects on records it was not given")


def product(stock: int) -> dict[str, object]:
    return {"name": "p", "price": 2.5, "quantity": stock}


items = st.lists(st.tuples(st.sampled_from(PIDS), st.integers(0, 4)), max_size=3).map(
    lambda pairs: tuple(dict(pairs).items())
)
commands = st.one_of(
    st.builds(c.CreateClient, st.sampled_from(CIDS), st.just({"name": "c"})),
    st.builds(c.UpdateClient, st.sampled_from(CIDS), st.just({"name": "d"})),
    st.builds(c.DeleteClient, st.sampled_from(CIDS)),
    st.builds(c.CreateProduct, st.sampled_from(PIDS), st.integers(0, 6).map(product)),
    st.builds(c.UpdateProduct, st.sampled_from(PIDS), st.integers(0, 6).map(product)),
    st.builds(c.DeleteProduct, st.sampled_from(PIDS)),
    st.builds(c.CreateOrder, st.sampled_from(OIDS), st.sampled_from(CIDS), items),
    st.builds(c.UpdateOrder, st.sampled_from(OIDS), st.sampled_from(CIDS), items),
    st.builds(c.DeleteOrder, st.sampled_from(OIDS)),
)


def run_partitioned(command: c.Command, store: dict[Key, Value]) -> object:
    """What a partitioned strategy does: read the footprint, decide, store the writes."""
    reads_order = isinstance(command, c.UpdateOrder | c.DeleteOrder)
    assert needs_order(command) is reads_order
    order = (
        store.get(("orders", command.oid))
        if isinstance(command, c.UpdateOrder | c.DeleteOrder)
        else None
    )
    records = {key: store.get(key) for key in footprint(command, order)}
    outcome = decide(command, view(records))
    for key, value in writes(records, outcome.effects).items():
        if value is None:
            store.pop(key, None)
        else:
            store[key] = value
    return outcome.reply


def every_record(state: State) -> dict[Key, Value]:
    keys: list[Key] = [("clients", k) for k in state.clients]
    keys += [("products", k) for k in state.products] + [("orders", k) for k in state.orders]
    keys += [(table, k) for table in INDEXES for k in getattr(state, table)]
    return {key: value_of(state, key) for key in keys if value_of(state, key) is not None}


@settings(max_examples=300, deadline=None)
@given(st.lists(commands, max_size=40))
def test_partitioned_execution_gives_the_replies_and_records_of_one_state(
    history: list[c.Command],
) -> None:
    single, store = State(), dict[Key, Value]()
    for command in history:
        assert run_partitioned(command, store) == execute(command, single).reply, command
    assert store == every_record(single)
