"""The replicated state: three tables of JSON records and the indexes derived from them.

Records are never changed in place: applying an effect stores a new dict, so a
reader may keep a reference to a record after releasing the replica's lock.
"""

from dataclasses import dataclass, field
from typing import Any

from core.domain.effects import Effect

Record = dict[str, Any]


@dataclass
class State:
    clients: dict[str, Record] = field(default_factory=dict)
    products: dict[str, Record] = field(default_factory=dict)
    orders: dict[str, Record] = field(default_factory=dict)  # {"CID", "products": [lines]}
    # Derived from `orders`: a client's OIDs oldest first, and per product its order
    # lines and the units those lines hold.
    client_orders: dict[str, dict[str, None]] = field(default_factory=dict)
    product_refs: dict[str, int] = field(default_factory=dict)
    units_held: dict[str, int] = field(default_factory=dict)

    def apply(self, effects: tuple[Effect, ...] | list[Effect]) -> None:
        """Apply effects in order. Total: an effect never fails, whatever the state."""
        for effect in effects:
            table: dict[str, Record] = getattr(self, effect.table)
            if effect.table == "orders":
                self._unindex(effect.key, self.orders.get(effect.key), effect.data.get("CID"))
            if effect.op == "DELETE":
                table.pop(effect.key, None)
            else:
                table[effect.key] = effect.data
            if effect.table == "orders" and effect.op != "DELETE":
                self._index(effect.key, effect.data)

    def _index(self, oid: str, order: Record) -> None:
        self.client_orders.setdefault(order["CID"], {})[oid] = None
        for line in order["products"]:
            self.product_refs[line["PID"]] = self.product_refs.get(line["PID"], 0) + 1
            self.units_held[line["PID"]] = self.units_held.get(line["PID"], 0) + line["quantity"]

    def _unindex(self, oid: str, order: Record | None, next_cid: str | None) -> None:
        if order is None:
            return
        # An update for the same client keeps the order's place: lists stay oldest first.
        if order["CID"] != next_cid:
            owned = self.client_orders.get(order["CID"], {})
            owned.pop(oid, None)
            if not owned:
                self.client_orders.pop(order["CID"], None)
        for line in order["products"]:
            left = self.product_refs[line["PID"]] - 1
            if left:
                self.product_refs[line["PID"]] = left
                self.units_held[line["PID"]] -= line["quantity"]
            else:
                del self.product_refs[line["PID"]], self.units_held[line["PID"]]

    def snapshot(self) -> dict[str, dict[str, Record]]:
        """The tables alone (indexes are derived): what a late joiner needs."""
        return {"clients": self.clients, "products": self.products, "orders": self.orders}

    @classmethod
    def from_snapshot(cls, tables: dict[str, dict[str, Record]]) -> "State":
        state = cls(clients=dict(tables["clients"]), products=dict(tables["products"]))
        for oid, order in tables["orders"].items():
            state.orders[oid] = order
            state._index(oid, order)
        return state
