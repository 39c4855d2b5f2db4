"""SPEC.md rules 1 to 8 on the state machine: replies, descriptions and what changes."""

from typing import Any

import pytest

from core.domain import Code, Effect, State, decide, digest, execute, query
from core.domain import commands as c
from core.domain import parsing as p
from tests.domain.support import accept, order_lines, order_view, refuse, stock

PAULO = {"name": "Paulo", "email": "paulo@ufu.br"}


def caneta(quantity: object = 8, price: object = "2.50") -> dict[str, Any]:
    return {"name": "caneta", "price": price, "quantity": quantity}


def shop(*stocks: object) -> State:
    """Clients "1" and "2"; products "1", "2", ... with the given stocks, price 2.5 each."""
    state = State()
    accept(state, c.CreateClient("1", {"name": "Ana"}))
    accept(state, c.CreateClient("2", dict(PAULO)))
    for number, quantity in enumerate(stocks, start=1):
        accept(state, c.CreateProduct(str(number), caneta(quantity)))
    return state


def order(oid: str, cid: str, *items: tuple[str, int]) -> c.CreateOrder:
    return c.CreateOrder(oid, cid, items)


def update(oid: str, cid: str, *items: tuple[str, int]) -> c.UpdateOrder:
    return c.UpdateOrder(oid, cid, items)


# Rule 1 and 2: clients


def test_create_and_retrieve_a_client_with_its_extra_fields() -> None:
    state = State()
    accept(state, c.CreateClient("2", dict(PAULO)))
    assert query(c.GetClient("2"), state) == PAULO


def test_create_an_existing_client_is_a_conflict_and_keeps_the_old_data() -> None:
    state = shop()
    refuse(state, c.CreateClient("2", {"name": "Outro"}), Code.CONFLICT, "'2'", "exists")
    assert query(c.GetClient("2"), state) == PAULO


def test_update_a_client_replaces_its_data() -> None:
    state = shop()
    accept(state, c.UpdateClient("2", {"name": "Paulo S."}))
    assert query(c.GetClient("2"), state) == {"name": "Paulo S."}


def test_update_a_missing_client_is_not_found() -> None:
    state = shop()
    refuse(state, c.UpdateClient("9", {"name": "X"}), Code.NOT_FOUND, "'9'", "does not exist")
    assert query(c.GetClient("9"), state) is None


def test_delete_a_client() -> None:
    state = shop()
    accept(state, c.DeleteClient("2"))
    assert query(c.GetClient("2"), state) is None
    assert query(c.GetClient("1"), state) == {"name": "Ana"}
    accept(state, c.CreateClient("2", {"name": "again"}))  # the ID is free again


def test_delete_a_missing_client_is_not_found() -> None:
    state = shop()
    refuse(state, c.DeleteClient("9"), Code.NOT_FOUND, "'9'")
    accept(state, c.DeleteClient("2"))
    refuse(state, c.DeleteClient("2"), Code.NOT_FOUND, "'2'")


@pytest.mark.parametrize(
    "q", [c.GetClient("9"), c.GetProduct("9"), c.GetOrder("9")], ids=["client", "product", "order"]
)
def test_retrieve_of_a_missing_record_is_none(q: c.Query) -> None:
    assert query(q, State()) is None
    assert query(q, shop(5)) is None


# Rule 1 and 2: products


def test_create_and_retrieve_a_product_as_sent() -> None:
    state = State()
    data = {"name": "caneta", "price": "2.50", "quantity": "40", "cor": "azul"}
    accept(state, c.CreateProduct("1", data))
    assert query(c.GetProduct("1"), state) == data


def test_create_an_existing_product_is_a_conflict() -> None:
    state = shop(8)
    refuse(state, c.CreateProduct("1", caneta(99)), Code.CONFLICT, "'1'", "exists")
    assert stock(state, "1") == 8


def test_update_a_product() -> None:
    state = shop(8)
    accept(state, c.UpdateProduct("1", caneta(3, price=4)))
    assert query(c.GetProduct("1"), state) == caneta(3, price=4)


def test_update_a_missing_product_is_not_found() -> None:
    state = shop(8)
    refuse(state, c.UpdateProduct("9", caneta()), Code.NOT_FOUND, "'9'", "does not exist")
    assert query(c.GetProduct("9"), state) is None


def test_delete_a_product() -> None:
    state = shop(8, 9)
    accept(state, c.DeleteProduct("1"))
    assert query(c.GetProduct("1"), state) is None
    assert stock(state, "2") == 9


def test_delete_a_missing_product_is_not_found() -> None:
    state = shop(8)
    refuse(state, c.DeleteProduct("9"), Code.NOT_FOUND, "'9'")


# Rule 3: references


def test_a_product_in_an_order_cannot_be_deleted() -> None:
    state = shop(8, 9)
    accept(state, order("A", "1", ("2", 1)))
    refuse(state, c.DeleteProduct("2"), Code.CONFLICT, "'2'", "orders")
    accept(state, c.DeleteProduct("1"))  # not referenced


def test_a_product_in_another_clients_order_cannot_be_deleted_either() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 1)))
    accept(state, order("B", "2", ("1", 1)))
    accept(state, c.DeleteOrder("A"))
    refuse(state, c.DeleteProduct("1"), Code.CONFLICT, "'1'")
    accept(state, c.DeleteOrder("B"))
    accept(state, c.DeleteProduct("1"))


def test_a_product_removed_from_its_last_order_line_can_be_deleted() -> None:
    state = shop(8, 9)
    accept(state, order("A", "1", ("1", 1), ("2", 1)))
    accept(state, update("A", "1", ("1", 0)))
    accept(state, c.DeleteProduct("1"))
    refuse(state, c.DeleteProduct("2"), Code.CONFLICT, "'2'")


def test_a_product_in_an_order_can_be_updated_and_the_order_keeps_its_price() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 3)))
    accept(state, c.UpdateProduct("1", {"name": "caneta azul", "price": "9.00", "quantity": 5}))
    assert query(c.GetProduct("1"), state)["price"] == "9.00"
    assert order_view(state, "A")["products"] == [
        {"PID": "1", "name": "caneta", "quantity": 3, "price": 2.5}
    ]
    assert order_view(state, "A")["total"] == 7.5


def test_a_client_with_orders_cannot_be_deleted() -> None:
    state = shop(8)
    accept(state, order("A", "2", ("1", 1)))
    accept(state, order("B", "2"))  # an empty order counts too
    refuse(state, c.DeleteClient("2"), Code.CONFLICT, "'2'", "order")
    accept(state, c.DeleteOrder("A"))
    refuse(state, c.DeleteClient("2"), Code.CONFLICT, "'2'")
    accept(state, c.DeleteOrder("B"))
    accept(state, c.DeleteClient("2"))


# Rule 4: CreateOrder


def test_create_an_order() -> None:
    state = shop(8, 9)
    outcome = accept(state, order("A", "2", ("1", 3), ("2", 1)))
    assert stock(state, "1") == 5
    assert stock(state, "2") == 8
    assert order_view(state, "A") == {
        "OID": "A",
        "CID": "2",
        "products": [
            {"PID": "1", "name": "caneta", "quantity": 3, "price": 2.5},
            {"PID": "2", "name": "caneta", "quantity": 1, "price": 2.5},
        ],
        "total": 10,
    }
    assert {(e.table, e.op, e.key) for e in outcome.effects} == {
        ("products", "UPDATE", "1"),
        ("products", "UPDATE", "2"),
        ("orders", "ADD", "A"),
    }


def test_create_an_order_for_an_unknown_client_is_not_found() -> None:
    state = shop(8)
    refuse(state, order("A", "9", ("1", 1)), Code.NOT_FOUND, "'9'")
    assert query(c.GetOrder("A"), state) is None


def test_create_an_order_with_a_used_oid_is_a_conflict() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 1)))
    refuse(state, order("A", "1", ("1", 1)), Code.CONFLICT, "'A'")
    refuse(state, order("A", "2", ("1", 1)), Code.CONFLICT, "'A'")  # OIDs are global
    assert stock(state, "1") == 7
    assert order_view(state, "A")["CID"] == "1"


def test_create_an_order_with_an_unknown_product_is_not_found() -> None:
    state = shop(8)
    refuse(state, order("A", "1", ("9", 1)), Code.NOT_FOUND, "'9'")
    refuse(state, order("A", "1", ("9", 0)), Code.NOT_FOUND, "'9'")
    assert query(c.GetOrder("A"), state) is None


def test_create_an_order_beyond_the_stock_is_a_conflict() -> None:
    state = shop(8)
    refuse(state, order("A", "1", ("1", 9)), Code.CONFLICT, "'1'", "stock")
    assert stock(state, "1") == 8
    accept(state, order("A", "1", ("1", 8)))  # exactly the stock is fine
    assert stock(state, "1") == 0
    refuse(state, order("B", "1", ("1", 1)), Code.CONFLICT, "'1'", "stock")


@pytest.mark.parametrize(
    ("second", "code"),
    [(("9", 1), Code.NOT_FOUND), (("2", 10), Code.CONFLICT)],
    ids=["unknown product", "not enough stock"],
)
def test_create_order_is_all_or_nothing(second: tuple[str, int], code: Code) -> None:
    state = shop(8, 9)
    refuse(state, order("A", "1", ("1", 3), second), code)
    assert stock(state, "1") == 8
    assert stock(state, "2") == 9
    assert query(c.GetOrder("A"), state) is None
    assert query(c.GetClientOrders("1"), state) == []
    accept(state, c.DeleteProduct("1"))  # and no reference was left behind


def test_an_empty_order_is_valid() -> None:
    state = shop(8)
    accept(state, order("A", "1"))
    assert order_view(state, "A") == {"OID": "A", "CID": "1", "products": [], "total": 0}


def test_zero_quantity_lines_are_not_stored() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 0)))
    assert order_view(state, "A")["products"] == []
    assert stock(state, "1") == 8
    accept(state, c.DeleteProduct("1"))


# Rule 5: UpdateOrder


def test_update_a_missing_order_is_not_found() -> None:
    state = shop(8)
    refuse(state, update("A", "1", ("1", 1)), Code.NOT_FOUND, "'A'")
    assert query(c.GetOrder("A"), state) is None


def test_update_another_clients_order_is_forbidden() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 2)))
    refuse(state, update("A", "2", ("1", 5)), Code.FORBIDDEN, "'A'", "another client")
    refuse(state, update("A", "9", ("1", 5)), Code.FORBIDDEN, "'A'")
    assert order_lines(state, "A") == {"1": 2}
    assert stock(state, "1") == 6


def test_update_sets_absolute_quantities_and_moves_stock_by_the_difference() -> None:
    state = shop(8, 9, 10)
    accept(state, order("A", "1", ("1", 3), ("2", 4), ("3", 5)))
    accept(state, update("A", "1", ("1", 1), ("2", 7)))
    assert order_lines(state, "A") == {"1": 1, "2": 7, "3": 5}  # "3" unlisted: it stays
    assert [stock(state, pid) for pid in "123"] == [7, 2, 5]


def test_update_to_zero_removes_the_line_and_restores_its_stock() -> None:
    state = shop(8, 9)
    accept(state, order("A", "1", ("1", 3), ("2", 4)))
    accept(state, update("A", "1", ("1", 0)))
    assert order_lines(state, "A") == {"2": 4}
    assert stock(state, "1") == 8


def test_update_to_zero_of_an_absent_line_changes_nothing() -> None:
    state = shop(8, 9)
    accept(state, order("A", "1", ("1", 3)))
    accept(state, update("A", "1", ("2", 0)))
    assert order_lines(state, "A") == {"1": 3}
    assert stock(state, "2") == 9


def test_update_can_take_exactly_the_remaining_stock() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 3)))
    accept(state, update("A", "1", ("1", 8)))  # 5 more: all that is left
    assert stock(state, "1") == 0


def test_new_lines_take_the_current_price_old_lines_keep_theirs() -> None:
    state = shop(8, 9)
    accept(state, order("A", "1", ("1", 2)))
    accept(state, c.UpdateProduct("1", caneta(6, price=3)))
    accept(state, c.UpdateProduct("2", caneta(9, price="0.10")))
    accept(state, update("A", "1", ("1", 4), ("2", 5)))
    assert order_view(state, "A")["products"] == [
        {"PID": "1", "name": "caneta", "quantity": 4, "price": 2.5},
        {"PID": "2", "name": "caneta", "quantity": 5, "price": 0.1},
    ]
    assert order_view(state, "A")["total"] == 10.5


def test_a_line_removed_and_added_again_takes_the_new_price() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 2)))
    accept(state, update("A", "1", ("1", 0)))
    accept(state, c.UpdateProduct("1", caneta(8, price=4)))
    accept(state, update("A", "1", ("1", 1)))
    assert order_view(state, "A")["products"][0]["price"] == 4


@pytest.mark.parametrize(
    ("second", "code"),
    [(("2", 10), Code.CONFLICT), (("9", 1), Code.NOT_FOUND)],
    ids=["not enough stock", "unknown product"],
)
def test_update_order_is_all_or_nothing(second: tuple[str, int], code: Code) -> None:
    state = shop(8, 9)
    accept(state, order("A", "1", ("1", 3), ("2", 2)))
    refuse(state, update("A", "1", ("1", 1), second), code)
    assert order_lines(state, "A") == {"1": 3, "2": 2}
    assert (stock(state, "1"), stock(state, "2")) == (5, 7)


def test_update_beyond_the_stock_counts_what_the_order_already_holds() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 5)))  # 3 left
    refuse(state, update("A", "1", ("1", 9)), Code.CONFLICT, "'1'", "stock")
    assert order_lines(state, "A") == {"1": 5}
    assert stock(state, "1") == 3


# Rule 6: DeleteOrder


def test_delete_an_order_restores_every_line() -> None:
    state = shop(8, 9)
    accept(state, order("A", "1", ("1", 3), ("2", 9)))
    accept(state, order("B", "1", ("1", 1)))
    accept(state, c.DeleteOrder("A"))
    assert (stock(state, "1"), stock(state, "2")) == (7, 9)
    assert query(c.GetOrder("A"), state) is None
    assert [view["OID"] for view in query(c.GetClientOrders("1"), state)] == ["B"]


def test_delete_a_missing_order_is_not_found() -> None:
    state = shop(8)
    refuse(state, c.DeleteOrder("A"), Code.NOT_FOUND, "'A'")
    accept(state, order("A", "1", ("1", 1)))
    accept(state, c.DeleteOrder("A"))
    refuse(state, c.DeleteOrder("A"), Code.NOT_FOUND, "'A'")
    assert stock(state, "1") == 8


def test_a_deleted_oid_can_be_used_again() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 1)))
    accept(state, c.DeleteOrder("A"))
    accept(state, order("A", "2", ("1", 2)))
    assert order_view(state, "A")["CID"] == "2"


# Quantities keep the type they were sent in


@pytest.mark.parametrize(
    ("sent", "after_order", "after_delete"),
    [("8", "5", "8"), (8, 5, 8)],
    ids=["string", "int"],
)
def test_stock_keeps_the_type_it_was_sent_in(
    sent: object, after_order: object, after_delete: object
) -> None:
    state = shop(sent)
    accept(state, order("A", "1", ("1", 3)))
    assert stock(state, "1") == after_order
    assert type(stock(state, "1")) is type(after_order)
    accept(state, update("A", "1", ("1", 1)))
    accept(state, c.DeleteOrder("A"))
    assert stock(state, "1") == after_delete
    assert type(stock(state, "1")) is type(after_delete)


def test_other_product_fields_survive_stock_changes() -> None:
    state = State()
    accept(state, c.CreateClient("1", {"name": "Ana"}))
    data = {"name": "caneta", "price": "2.50", "quantity": "8", "cor": "azul"}
    accept(state, c.CreateProduct("1", data))
    accept(state, order("A", "1", ("1", 3)))
    assert query(c.GetProduct("1"), state) == {**data, "quantity": "5"}


# Totals


def test_total_is_the_sum_of_quantity_times_frozen_price() -> None:
    state = State()
    accept(state, c.CreateClient("1", {"name": "Ana"}))
    accept(state, c.CreateProduct("1", caneta(10, price="2.5")))
    accept(state, c.CreateProduct("2", caneta(10, price=0.1)))
    accept(state, c.CreateProduct("3", caneta(10, price=0)))
    accept(state, order("A", "1", ("1", 3), ("2", 4), ("3", 7)))
    assert order_view(state, "A")["total"] == 7.9
    accept(state, c.UpdateProduct("1", caneta(7, price=100)))
    accept(state, c.UpdateProduct("2", caneta(6, price=100)))
    assert order_view(state, "A")["total"] == 7.9
    accept(state, update("A", "1", ("2", 1)))
    assert order_view(state, "A")["total"] == 7.6


def test_a_whole_total_is_an_integer() -> None:
    state = shop(8)
    accept(state, order("A", "1", ("1", 2)))  # 2 * 2.5
    total = order_view(state, "A")["total"]
    assert total == 5
    assert type(total) is int


# Rule 8: a client's orders


def test_client_orders_are_exactly_that_clients_oldest_first() -> None:
    state = shop(8)
    for oid, cid in [("z", "1"), ("a", "2"), ("m", "1"), ("b", "1")]:
        accept(state, order(oid, cid, ("1", 1)))
    views = query(c.GetClientOrders("1"), state)
    assert [view["OID"] for view in views] == ["z", "m", "b"]
    assert views[0] == order_view(state, "z")
    assert [view["OID"] for view in query(c.GetClientOrders("2"), state)] == ["a"]


def test_updating_an_order_keeps_its_place_among_the_clients_orders() -> None:
    state = shop(8)
    for oid in ["z", "a", "m"]:
        accept(state, order(oid, "1", ("1", 1)))
    accept(state, update("z", "1", ("1", 2)))
    accept(state, update("a", "1", ("1", 0)))
    assert [view["OID"] for view in query(c.GetClientOrders("1"), state)] == ["z", "a", "m"]


def test_a_recreated_order_is_the_newest() -> None:
    state = shop(8)
    for oid in ["z", "a"]:
        accept(state, order(oid, "1", ("1", 1)))
    accept(state, c.DeleteOrder("z"))
    accept(state, order("z", "1", ("1", 1)))
    assert [view["OID"] for view in query(c.GetClientOrders("1"), state)] == ["a", "z"]


def test_an_unknown_client_has_no_orders() -> None:
    state = shop(8)
    assert query(c.GetClientOrders("9"), state) == []
    assert query(c.GetClientOrders("1"), state) == []


# decide and execute


def test_decide_changes_nothing_and_its_effects_do() -> None:
    state = shop(8)
    before = digest(state.snapshot())
    outcome = decide(order("A", "1", ("1", 3)), state)
    assert outcome.reply.ok
    assert digest(state.snapshot()) == before
    assert query(c.GetOrder("A"), state) is None
    state.apply(outcome.effects)
    assert digest(state.snapshot()) != before
    assert stock(state, "1") == 5


def test_effects_are_the_seeds_messages() -> None:
    state = shop(8)
    created = accept(state, c.CreateClient("3", {"name": "Bia"}))
    assert created.effects == (Effect("clients", "ADD", "3", {"name": "Bia"}),)
    assert created.effects[0].message() == {"op": "ADD", "key": "3", "data": {"name": "Bia"}}
    deleted = accept(state, c.DeleteClient("3"))
    assert deleted.effects == (Effect("clients", "DELETE", "3", {}),)
    accept(state, order("A", "1", ("1", 3)))
    ordered = accept(state, c.DeleteOrder("A"))
    assert [(e.table, e.op, e.key) for e in ordered.effects] == [
        ("products", "UPDATE", "1"),
        ("orders", "DELETE", "A"),
    ]
    assert ordered.effects[0].data["quantity"] == 8


def test_decide_and_query_refuse_what_they_do_not_know() -> None:
    with pytest.raises(TypeError):
        decide(c.GetClient("1"), State())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        query(c.DeleteClient("1"), State())  # type: ignore[arg-type]


# The seed's flow, end to end from wire strings


def test_the_seed_flow() -> None:
    state = State()
    accept(state, p.create_client("2", '{"name": "Paulo"}'))
    accept(state, p.create_product("1", '{"name": "caneta", "price": "2.50", "quantity": 8}'))
    accept(state, p.create_product("2", '{"name": "lapis", "price": 1, "quantity": 9}'))

    accept(state, p.create_order("1", "2", '{"products": [{"PID": "1", "quantity": 3}]}'))
    assert stock(state, "1") == 5
    accept(state, p.update_order("1", "2", '{"products": [{"PID": "1", "quantity": 2}]}'))
    assert stock(state, "1") == 6
    accept(state, p.update_order("1", "2", '[{"id": "1", "quantity": "4"}]'))
    assert stock(state, "1") == 4
    accept(state, p.update_order("1", "2", '{"products": [{"PID": "2", "quantity": 5}]}'))
    assert stock(state, "2") == 4
    assert order_lines(state, "1") == {"1": 4, "2": 5}
    assert order_view(state, "1")["total"] == 15  # 4 * 2.50 + 5 * 1
    accept(state, p.update_order("1", "2", '{"products": [{"PID": "1", "quantity": 0}]}'))
    assert stock(state, "1") == 8
    assert order_lines(state, "1") == {"2": 5}
    accept(state, p.delete_order("1"))
    assert stock(state, "2") == 9
    assert query(c.GetOrder("1"), state) is None
    assert query(c.GetClientOrders("2"), state) == []


def test_refusals_from_the_wire_change_nothing() -> None:
    state = State()
    accept(state, p.create_client("2", '{"name": "Paulo"}'))
    accept(state, p.create_product("1", '{"name": "caneta", "price": "2.50", "quantity": 8}'))
    before = execute(p.create_order("1", "2", "[]"), state)
    assert before.reply.ok
    refuse(state, p.create_order("2", "2", '[{"id": "1", "quantity": 9}]'), Code.CONFLICT)
    refuse(state, p.update_order("1", "3", '[{"id": "1", "quantity": 1}]'), Code.FORBIDDEN)
    refuse(state, p.delete_client("2"), Code.CONFLICT)
    assert stock(state, "1") == 8


# The bound no sequence of operations can pass: stock plus units held <= 2^63-1

MAX = 2**63 - 1


@pytest.mark.parametrize("sent", [MAX, str(MAX)], ids=["int", "string"])
def test_create_order_update_to_the_bound_and_delete_never_overflow(sent: object) -> None:
    state = shop(sent)
    accept(state, order("A", "1", ("1", 10)))
    assert int(stock(state, "1")) == MAX - 10
    refuse(state, c.UpdateProduct("1", caneta(sent)), Code.CONFLICT, "'1'", "10 units", str(MAX))
    refuse(state, c.UpdateProduct("1", caneta(MAX - 9)), Code.CONFLICT, f"at most {MAX - 10}")
    accept(state, c.UpdateProduct("1", caneta(MAX - 10)))
    accept(state, c.DeleteOrder("A"))
    assert stock(state, "1") == MAX
    accept(state, order("B", "1", ("1", 1)))  # every stored stock still reads
    assert stock(state, "1") == MAX - 1


def test_reducing_an_order_line_at_the_bound_gives_stock_back_exactly() -> None:
    state = shop(MAX)
    accept(state, order("A", "1", ("1", 5)))
    accept(state, c.UpdateProduct("1", caneta(MAX - 5)))
    accept(state, update("A", "1", ("1", 2)))
    assert stock(state, "1") == MAX - 2
    refuse(state, c.UpdateProduct("1", caneta(MAX)), Code.CONFLICT, "2 units")


def test_units_held_follow_orders_through_updates_and_deletes() -> None:
    state = shop(20, 20)
    accept(state, order("A", "1", ("1", 3), ("2", 4)))
    accept(state, order("B", "2", ("1", 5)))
    assert state.units_held == {"1": 8, "2": 4}
    accept(state, update("A", "1", ("1", 1), ("2", 0)))
    assert state.units_held == {"1": 6}
    accept(state, c.DeleteOrder("B"))
    assert state.units_held == {"1": 1}
    assert State.from_snapshot(state.snapshot()).units_held == state.units_held


def diverged(stock_: int, held: int) -> State:
    """Replicas that diverged (mqtt-broadcast): order "A" holds `held` units of product
    "1", whose stock was overwritten by a concurrent UpdateProduct to `stock_`."""
    state = shop(held)
    accept(state, order("A", "1", ("1", held)))
    state.apply([Effect("products", "UPDATE", "1", caneta(stock_))])
    return state


def test_after_divergence_a_restock_past_the_bound_is_refused_not_stored() -> None:
    state = diverged(MAX, 5)
    refuse(state, c.DeleteOrder("A"), Code.CONFLICT, "'1'", str(MAX))
    refuse(state, update("A", "1", ("1", 1)), Code.CONFLICT, "'1'", str(MAX))
    accept(state, c.UpdateProduct("1", caneta(MAX - 5)))
    accept(state, c.DeleteOrder("A"))
    assert stock(state, "1") == MAX


def test_after_divergence_a_recreated_product_counts_the_units_held() -> None:
    state = diverged(0, 5)
    state.apply([Effect("products", "DELETE", "1", {})])  # a concurrent DeleteProduct
    refuse(state, c.CreateProduct("1", caneta(MAX)), Code.CONFLICT, "5 units")
    accept(state, c.CreateProduct("1", caneta(MAX - 5)))
