"""The course's own Part 1 servers on our topics: their record shapes, both ways.

The course's servers (github.com/Alba-22/projeto-sistemas-distribuidos at its Part 1,
commit 36f15e5: admin/admin_portal_server.py, order/order_portal_server.py and
utils/on_receive_message.py) publish the seed's `{"op", "key", "data"}` with no id and
no origin, at QoS 0, and store each message's `data` as the record. Their records:

- client: `{"CID", "name"}`; theirs keep no other field;
- product: `{"PID", "name", "price", "quantity"}`, price and quantity as strings;
- order: `{"OID", "CID", "products": [{"PID", "price", "quantity"}]}`, strings again,
  the price copied from the product when the line is added, no name (their
  RetrieveOrder names each line by the product as it is when read).

Ours: a client or product as its user sent it (extra fields kept, numbers in the type
they came in, SPEC.md), an order `{"CID", "products": [{"PID", "name", "quantity",
"price"}]}` with integer quantities and number prices.

Their servers read their own shape back: RetrieveClient reads `data["CID"]`, CreateOrder
`int(product["quantity"])`, RetrieveOrder `order["OID"]`. So with option wire = course,
ours publish `data` in their shape (`course_data`) and the record itself beside it, in
a field `record` that their servers ignore: servers of ours keep the exact record
SPEC.md asks for, and theirs find what they read.

A message without an origin comes from a seed-format publisher such as theirs, and its
data becomes a record of ours (`from_course`):

- clients and products: the record's own ID field is dropped when it equals the key. It
  is their storage shape, not something their user sent (their clients send `{"name"}`),
  so RetrieveClient gives back what the user gave. The rest is kept as sent. A product
  needs a name, a price and a quantity under SPEC.md's rules, or the message is refused:
  our order rules read them.
- orders: translated, not refused. Their CreateOrder publishes the stock decrements as
  product UPDATEs and the order as another message; refusing the order but applying the
  stock would make units vanish and leave a product deletable while their order holds
  it. Quantities become integers, prices numbers (their price is frozen at the line's
  addition too), the OID is the key, and lines are named (`name_lines`) after the
  product as this replica holds it when the order is applied, as their reads do.

What stays different: their rules are theirs. For example, their UpdateProduct refuses
a product that is in an order, and an UpdateOrder by another client gets 404 where ours
gets 403. Each server judges a write against its own replica, as two of ours do anyway.
A record their servers write is in their shape: when their CreateOrder lowers the stock
of a product of ours, the product keeps only PID, name, price and quantity, as strings.
Their servers start empty and never catch up (the seed's rule: start them together).
One that missed a record gets a KeyError on its DELETE, and its MQTT loop stops.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final

from core.domain import Effect
from core.domain.numbers import as_json_number, parse_count, parse_price

Record = dict[str, Any]

ID_FIELDS: Final = {"clients": "CID", "products": "PID", "orders": "OID"}


def course_data(effect: Effect) -> Record:
    """`effect`'s record as the course's servers store it."""
    record = effect.data
    if effect.op == "DELETE":
        return {}
    if effect.table == "clients":
        return {**record, "CID": effect.key}
    if effect.table == "products":
        return {**record, "PID": effect.key, **_as_text(record)}
    lines = [{**line, **_as_text(line)} for line in record["products"]]
    return {"OID": effect.key, "CID": record["CID"], "products": lines}


def _as_text(record: Record) -> Record:
    """Price and quantity as the course's strings; ours are valid, so they parse."""
    price = record["price"]
    if not isinstance(price, str):
        price = format(parse_price(price, "price"), "f")  # 1e-07 is 0.0000001: no exponent
    return {"price": price, "quantity": str(record["quantity"])}


def from_course(table: str, key: str, data: Record) -> Record:
    """A record of ours from a seed-format publisher's `data`; ValueError says what is wrong."""
    if table == "orders":
        return _order(data)
    own_id = ID_FIELDS[table]
    record = {name: value for name, value in data.items() if name != own_id or value != key}
    if table == "products":
        if not isinstance(record.get("name"), str):
            raise ValueError('a product needs a string "name"')
        parse_price(record.get("price"), "the product's price")
        parse_count(record.get("quantity"), "the product's quantity")
    return record


def _order(data: Record) -> Record:
    cid, lines = data.get("CID"), data.get("products")
    if not isinstance(cid, str) or not isinstance(lines, list):
        raise ValueError("an order needs a string CID and a list of products")
    return {"CID": cid, "products": [_line(line) for line in lines]}


def _line(line: object) -> Record:
    if not isinstance(line, dict) or not isinstance(line.get("PID"), str):
        raise ValueError("every order line needs a string PID")
    ours = {
        "PID": line["PID"],
        "quantity": parse_count(line.get("quantity"), "an order line's quantity"),
        "price": as_json_number(parse_price(line.get("price"), "an order line's price")),
    }
    if isinstance(line.get("name"), str):
        ours["name"] = line["name"]
    return ours


def name_lines(effect: Effect, name_of: Callable[[str], str]) -> Effect:
    """A translated order with every line named, as RetrieveOrder shows its lines."""
    if effect.table != "orders" or effect.op == "DELETE":
        return effect
    lines = effect.data["products"]
    if all("name" in line for line in lines):
        return effect
    named = [
        line if "name" in line else {"PID": line["PID"], "name": name_of(line["PID"]), **line}
        for line in lines
    ]
    return replace(effect, data={**effect.data, "products": named})
