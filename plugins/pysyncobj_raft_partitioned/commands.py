"""A domain command as proto/storage.proto's ExecuteRequest, and back, checked.

The portal sends a command it has parsed (core.domain.parsing); the replica parses it
again through the same gate before it enters the log, so a request no portal would
send (a bad ID, data that is not a client's or product's, a quantity out of range)
is refused with `BadRequest`, naming the field, and never reaches the state machine.
"""

import json
from collections.abc import Callable
from typing import Final

from core.domain import InvalidInput
from core.domain import commands as c
from core.domain.ids import check_id
from core.domain.numbers import MAX_COUNT
from core.domain.parsing import client_data, product_data
from proto import storage_pb2 as pb


class BadRequest(ValueError):
    """An ExecuteRequest the replica refuses before it enters the log; the message says why."""


def request(command: c.Command) -> pb.ExecuteRequest:
    if isinstance(command, c.CreateClient | c.UpdateClient | c.CreateProduct | c.UpdateProduct):
        kind = _KINDS[type(command)]
        ident = command.cid if isinstance(command, c.CreateClient | c.UpdateClient) else command.pid
        return pb.ExecuteRequest(kind=kind, id=ident, data=json.dumps(command.data))
    if isinstance(command, c.DeleteClient):
        return pb.ExecuteRequest(kind=pb.DELETE_CLIENT, id=command.cid)
    if isinstance(command, c.DeleteProduct):
        return pb.ExecuteRequest(kind=pb.DELETE_PRODUCT, id=command.pid)
    if isinstance(command, c.DeleteOrder):
        return pb.ExecuteRequest(kind=pb.DELETE_ORDER, id=command.oid)
    lines = [pb.OrderLine(pid=pid, quantity=quantity) for pid, quantity in command.items]
    return pb.ExecuteRequest(
        kind=_KINDS[type(command)], id=command.oid, cid=command.cid, items=lines
    )


def command(given: pb.ExecuteRequest) -> c.Command:
    """The command `given` holds, checked as the portals check theirs; or BadRequest."""
    build = _BUILDERS.get(given.kind)
    if build is None:
        raise BadRequest(f"kind: {given.kind} is not a command ({', '.join(_NAMES)})")
    try:
        return build(given)
    except InvalidInput as error:
        raise BadRequest(f"{pb.CommandKind.Name(given.kind)}: {error}") from None


def _items(given: pb.ExecuteRequest) -> c.Items:
    seen: dict[str, int] = {}
    for n, line in enumerate(given.items):
        pid = check_id(f"items[{n}].pid", line.pid)
        if not 0 <= line.quantity <= MAX_COUNT:
            raise InvalidInput(f"items[{n}].quantity: {line.quantity} is not from 0 to {MAX_COUNT}")
        if pid in seen:
            raise InvalidInput(f"items[{n}].pid: product {pid!r:.80} is listed twice")
        seen[pid] = line.quantity
    return tuple(seen.items())


def _id(given: pb.ExecuteRequest, what: str) -> str:
    return check_id(f"id ({what})", given.id)


_KINDS: Final = {
    c.CreateClient: pb.CREATE_CLIENT,
    c.UpdateClient: pb.UPDATE_CLIENT,
    c.CreateProduct: pb.CREATE_PRODUCT,
    c.UpdateProduct: pb.UPDATE_PRODUCT,
    c.CreateOrder: pb.CREATE_ORDER,
    c.UpdateOrder: pb.UPDATE_ORDER,
}
_BUILDERS: Final[dict[int, Callable[[pb.ExecuteRequest], c.Command]]] = {
    pb.CREATE_CLIENT: lambda g: c.CreateClient(_id(g, "client ID"), client_data(g.data)),
    pb.UPDATE_CLIENT: lambda g: c.UpdateClient(_id(g, "client ID"), client_data(g.data)),
    pb.DELETE_CLIENT: lambda g: c.DeleteClient(_id(g, "client ID")),
    pb.CREATE_PRODUCT: lambda g: c.CreateProduct(_id(g, "product ID"), product_data(g.data)),
    pb.UPDATE_PRODUCT: lambda g: c.UpdateProduct(_id(g, "product ID"), product_data(g.data)),
    pb.DELETE_PRODUCT: lambda g: c.DeleteProduct(_id(g, "product ID")),
    pb.CREATE_ORDER: lambda g: c.CreateOrder(_id(g, "order ID"), check_id("cid", g.cid), _items(g)),
    pb.UPDATE_ORDER: lambda g: c.UpdateOrder(_id(g, "order ID"), check_id("cid", g.cid), _items(g)),
    pb.DELETE_ORDER: lambda g: c.DeleteOrder(_id(g, "order ID")),
}
_NAMES: Final = [pb.CommandKind.Name(kind) for kind in _BUILDERS]
