"""The operations of the portals, as plain values that every strategy can replicate.

Commands change state; queries only read it. Both are immutable and picklable, and
they carry input that `core.domain.parsing` has already checked, so a replication
log never holds a request that is malformed on its face.
"""

from dataclasses import dataclass
from typing import Any

JsonObject = dict[str, Any]
Items = tuple[tuple[str, int], ...]  # (PID, quantity), each PID once, in request order


@dataclass(frozen=True, slots=True)
class CreateClient:
    cid: str
    data: JsonObject


@dataclass(frozen=True, slots=True)
class UpdateClient:
    cid: str
    data: JsonObject


@dataclass(frozen=True, slots=True)
class DeleteClient:
    cid: str


@dataclass(frozen=True, slots=True)
class CreateProduct:
    pid: str
    data: JsonObject


@dataclass(frozen=True, slots=True)
class UpdateProduct:
    pid: str
    data: JsonObject


@dataclass(frozen=True, slots=True)
class DeleteProduct:
    pid: str


@dataclass(frozen=True, slots=True)
class CreateOrder:
    oid: str
    cid: str
    items: Items


@dataclass(frozen=True, slots=True)
class UpdateOrder:
    oid: str
    cid: str
    items: Items


@dataclass(frozen=True, slots=True)
class DeleteOrder:
    oid: str


@dataclass(frozen=True, slots=True)
class GetClient:
    cid: str


@dataclass(frozen=True, slots=True)
class GetProduct:
    pid: str


@dataclass(frozen=True, slots=True)
class GetOrder:
    oid: str


@dataclass(frozen=True, slots=True)
class GetClientOrders:
    cid: str


Command = (
    CreateClient
    | UpdateClient
    | DeleteClient
    | CreateProduct
    | UpdateProduct
    | DeleteProduct
    | CreateOrder
    | UpdateOrder
    | DeleteOrder
)
Query = GetClient | GetProduct | GetOrder | GetClientOrders
