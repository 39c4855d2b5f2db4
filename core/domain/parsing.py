"""From the wire's strings to commands: every check that needs no state (code 400).

This is the one input gate of SPEC.md's "Input, exactly", shared by every strategy:
`core.domain.jsontext` for the JSON text, `ids` and `numbers` for the fields.
"""

from core.domain import commands as c
from core.domain.errors import InvalidInput
from core.domain.ids import check_id
from core.domain.jsontext import load
from core.domain.numbers import MAX_COUNT, parse_count, parse_price


def _json_object(text: str, what: str) -> c.JsonObject:
    value = load(text, what)
    if not isinstance(value, dict):
        raise InvalidInput(f"the {what} data must be a JSON object, not {type(value).__name__}")
    return value


def client_data(text: str) -> c.JsonObject:
    data = _json_object(text, "client")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput('the client data needs a "name": a non-empty string')
    return data


def product_data(text: str) -> c.JsonObject:
    data = _json_object(text, "product")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput('the product data needs a "name": a non-empty string')
    for field in ("price", "quantity"):
        if field not in data:
            raise InvalidInput(f'the product data needs a "{field}"')
    parse_price(data["price"], 'the product "price"')
    parse_count(data["quantity"], 'the product "quantity"')
    return data


def order_items(text: str) -> c.Items:
    """Both order forms of SPEC.md; the same PID twice adds up."""
    value = load(text, "order")
    if isinstance(value, dict):
        if not isinstance(value.get("products"), list):
            raise InvalidInput('the order data needs "products": a list of {"PID", "quantity"}')
        lines = value["products"]
    elif isinstance(value, list):
        lines = value
    else:
        raise InvalidInput('the order data must be {"products": [...]} or a list of lines')
    totals: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise InvalidInput(f'order line {number} must be an object with "PID" and "quantity"')
        pid = line.get("PID", line.get("id"))
        if not isinstance(pid, str | int) or isinstance(pid, bool):
            raise InvalidInput(f'order line {number} needs a product ID in "PID" (or "id")')
        pid = check_id(f"product ID of order line {number}", str(pid))
        if "quantity" not in line:
            raise InvalidInput(f'order line {number} needs a "quantity"')
        quantity = parse_count(line["quantity"], f"the quantity of order line {number}")
        totals[pid] = totals.get(pid, 0) + quantity
        if totals[pid] > MAX_COUNT:
            raise InvalidInput(
                f"the quantities of product {pid!r} in this order add up to more than "
                f"{MAX_COUNT} (2^63-1), the most any quantity may be"
            )
    return tuple(totals.items())


def create_client(cid: str, data: str) -> c.CreateClient:
    return c.CreateClient(check_id("client ID", cid), client_data(data))


def update_client(cid: str, data: str) -> c.UpdateClient:
    return c.UpdateClient(check_id("client ID", cid), client_data(data))


def delete_client(cid: str) -> c.DeleteClient:
    return c.DeleteClient(check_id("client ID", cid))


def create_product(pid: str, data: str) -> c.CreateProduct:
    return c.CreateProduct(check_id("product ID", pid), product_data(data))


def update_product(pid: str, data: str) -> c.UpdateProduct:
    return c.UpdateProduct(check_id("product ID", pid), product_data(data))


def delete_product(pid: str) -> c.DeleteProduct:
    return c.DeleteProduct(check_id("product ID", pid))


def create_order(oid: str, cid: str, data: str) -> c.CreateOrder:
    return c.CreateOrder(check_id("order ID", oid), check_id("client ID", cid), order_items(data))


def update_order(oid: str, cid: str, data: str) -> c.UpdateOrder:
    return c.UpdateOrder(check_id("order ID", oid), check_id("client ID", cid), order_items(data))


def delete_order(oid: str) -> c.DeleteOrder:
    return c.DeleteOrder(check_id("order ID", oid))
