"""Order rules: stock checks, line arithmetic and frozen prices (SPEC.md rules 4 to 6)."""

from decimal import Decimal

from core.domain.commands import Items
from core.domain.effects import Effect
from core.domain.errors import Code
from core.domain.numbers import (
    MAX_COUNT,
    as_json_number,
    parse_count,
    parse_price,
    same_type_count,
)
from core.domain.outcome import OK, Outcome, refuse
from core.domain.state import Record, State

Lines = dict[str, Record]  # PID -> {"PID", "name", "quantity", "price"}


def stock_of(product: Record) -> int:
    return parse_count(product["quantity"], "stored quantity")


def with_stock(product: Record, stock: int) -> Record:
    return {**product, "quantity": same_type_count(product["quantity"], stock)}


def new_line(pid: str, product: Record, quantity: int) -> Record:
    price = as_json_number(parse_price(product["price"], "stored price"))
    return {"PID": pid, "name": product["name"], "quantity": quantity, "price": price}


def change_lines(state: State, oid: str, cid: str, old: Lines, items: Items) -> Outcome:
    """Set each listed line to its absolute quantity and move stock by the difference.

    All-or-nothing: the first refusal returns before any effect is produced.
    """
    wanted: dict[str, int] = {}
    for pid, quantity in items:  # parsing merges repeated PIDs; stay total if it did not
        wanted[pid] = wanted.get(pid, 0) + quantity
    lines = dict(old)
    stock_changes: dict[str, int] = {}
    for pid, quantity in wanted.items():
        product = state.products.get(pid)
        if product is None:
            return refuse(Code.NOT_FOUND, f"product {pid!r} does not exist; create it first")
        held = lines[pid]["quantity"] if pid in lines else 0
        stock = stock_of(product)
        if quantity - held > stock:
            return refuse(
                Code.CONFLICT,
                f"not enough stock of product {pid!r}: {quantity - held} more wanted, "
                f"{stock} in stock",
            )
        if quantity == held:
            continue
        if stock - (quantity - held) > MAX_COUNT:
            return refuse(Code.CONFLICT, _past_bound(pid))
        stock_changes[pid] = stock - (quantity - held)
        if quantity == 0:
            del lines[pid]
        elif pid in lines:
            lines[pid] = {**lines[pid], "quantity": quantity}
        else:
            lines[pid] = new_line(pid, product, quantity)
    effects = [
        Effect("products", "UPDATE", pid, with_stock(state.products[pid], stock))
        for pid, stock in stock_changes.items()
    ]
    record = {"CID": cid, "products": list(lines.values())}
    effects.append(Effect("orders", "UPDATE" if oid in state.orders else "ADD", oid, record))
    return Outcome(OK, tuple(effects))


def lines_of(order: Record) -> Lines:
    return {line["PID"]: line for line in order["products"]}


def remove(state: State, oid: str, order: Record) -> Outcome:
    """Delete an order, giving every line's quantity back to stock."""
    effects = []
    for line in order["products"]:
        pid, quantity = line["PID"], line["quantity"]
        if not quantity or (product := state.products.get(pid)) is None:
            continue
        if stock_of(product) + quantity > MAX_COUNT:
            return refuse(Code.CONFLICT, _past_bound(pid))
        effects.append(
            Effect("products", "UPDATE", pid, with_stock(product, stock_of(product) + quantity))
        )
    effects.append(Effect("orders", "DELETE", oid, {}))
    return Outcome(OK, tuple(effects))


def _past_bound(pid: str) -> str:
    # UpdateProduct keeps stock plus held units within the bound, so only replicas that
    # diverged (mqtt-broadcast) get here; refusing keeps every stored stock readable.
    return (
        f"returning units to product {pid!r} would take its stock past {MAX_COUNT} (2^63-1); "
        "lower its quantity first"
    )


def view(oid: str, order: Record) -> Record:
    """An order as RetrieveOrder returns it, with its total."""
    total = sum(
        (Decimal(str(line["price"])) * line["quantity"] for line in order["products"]),
        Decimal(0),
    )
    return {
        "OID": oid,
        "CID": order["CID"],
        "products": order["products"],
        "total": as_json_number(total),
    }
