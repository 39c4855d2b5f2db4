"""Effects: what a command changes, in the seed's {"op", "key", "data"} shape.

A strategy that replicates effects (mqtt-broadcast) sends exactly these; one that
replicates commands (Raft) never needs to look at them.
"""

from dataclasses import dataclass
from typing import Any, Literal

Table = Literal["clients", "products", "orders"]
Op = Literal["ADD", "UPDATE", "DELETE"]
TABLES: tuple[Table, ...] = ("clients", "products", "orders")


@dataclass(frozen=True, slots=True)
class Effect:
    table: Table
    op: Op
    key: str
    data: dict[str, Any]  # the whole new record; {} for DELETE

    def message(self) -> dict[str, Any]:
        """The seed's wire form, published on the topic named after `table`."""
        return {"op": self.op, "key": self.key, "data": self.data}
