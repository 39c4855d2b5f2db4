"""Lost acknowledged writes: writes answered done whose effect a replica does not show.

Once the replicas have settled, and before the cluster stops, every record an
acknowledged write (outcome "ok") created or changed is read back from every
portal server that holds a replica (`Expectation`s, one per write):

- a record that an acknowledged create or update names must exist, unless some
  delete of it was attempted (whatever its outcome: it may have taken effect);
- a client record's data must be what its last acknowledged write sent, when that
  write is the last one by the history alone: every other acknowledged write of the
  record had its reply before it was sent, and no write of it has an unknown
  outcome. (Products change with orders, so only their existence is checked.)

A write missing on any replica is lost once, whatever the number of replicas that
miss it. A strategy that answers reads through its leader (linearizable reads)
answers every server's read from the same state: the digests, compared per group,
are what tell its replicas apart.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import grpc

from loadtests.calls import RPCS, answered
from loadtests.checkers.records import canonical
from loadtests.history import Operation

RPC_TIMEOUT_S: Final = 5.0
THREADS: Final = 8
RETRIEVE: Final = {
    "clients": "RetrieveClient",
    "products": "RetrieveProduct",
    "orders": "RetrieveOrder",
}
ABSENT: Final = object()  # the data of an expectation that only asks for the record to exist


@dataclass(frozen=True)
class Expectation:
    write: Operation  # the acknowledged write
    table: str
    key: str
    data: Any = ABSENT  # what a read must return; ABSENT: only that the record exists


@dataclass(frozen=True)
class LostWrite:
    write: Operation
    server: str  # a replica that does not show it
    found: Any  # what that replica returned (None: no such record)


@dataclass(frozen=True)
class ReadBack:
    checked: int  # acknowledged writes read back
    servers: tuple[str, ...]  # the replicas that answered
    lost: tuple[LostWrite, ...]  # one per write and replica that misses it
    notes: tuple[str, ...] = ()  # replicas that could not be read

    @property
    def lost_acknowledged_writes(self) -> int:
        """Acknowledged writes missing on at least one replica."""
        return len({id(lost.write) for lost in self.lost})

    def by_server(self) -> dict[str, int]:
        counts = dict.fromkeys(self.servers, 0)
        for lost in self.lost:
            counts[lost.server] += 1
        return counts


def _writes(history: Iterable[Operation]) -> dict[tuple[str, str], list[Operation]]:
    found: dict[tuple[str, str], list[Operation]] = defaultdict(list)
    for o in history:
        if not o.is_read and o.table in RETRIEVE and o.key is not None:
            found[o.table, o.key].append(o)
    return found


def _last_value(writes: Sequence[Operation]) -> Operation | None:
    """The write whose data the record must end with, when the history alone says so."""
    changes = [o for o in writes if o.op.startswith(("Create", "Update"))]
    if any(o.outcome == "unknown" for o in changes):
        return None
    done = sorted((o for o in changes if o.outcome == "ok"), key=lambda o: o.complete)
    if not done or any(o.complete >= done[-1].invoke for o in done[:-1]):
        return None
    return done[-1]


def expectations(history: Iterable[Operation]) -> list[Expectation]:
    expected = []
    for (table, key), writes in _writes(history).items():
        if any(o.op.startswith("Delete") for o in writes):
            continue
        done = [o for o in writes if o.outcome == "ok"]
        last = _last_value(writes) if table == "clients" else None
        for o in done:
            data = o.args.get("data") if o is last else ABSENT
            expected.append(Expectation(o, table, key, data))
    return expected


def _met(expectation: Expectation, found: Any) -> bool:
    if found is None:
        return False
    return expectation.data is ABSENT or canonical(found) == canonical(expectation.data)


def _retrieve(channel: grpc.Channel, table: str, key: str) -> Any:
    """The record's data as `server` returns it; None when it has no such record."""
    rpc = RPCS[RETRIEVE[table]]
    call = channel.unary_unary(
        rpc.path,
        request_serializer=rpc.request.SerializeToString,
        response_deserializer=rpc.response.FromString,
    )
    _, result = answered(call(rpc.request(ID=key), timeout=RPC_TIMEOUT_S))
    return result["data"] if result["found"] else None


def _read_server(
    name: str, address: str, expected: Sequence[Expectation]
) -> tuple[list[LostWrite], str | None]:
    keys = sorted({(e.table, e.key) for e in expected})
    with grpc.insecure_channel(address) as channel, ThreadPoolExecutor(THREADS) as pool:
        try:
            found = dict(zip(keys, pool.map(lambda k: _retrieve(channel, *k), keys), strict=True))
        except grpc.RpcError as error:
            return [], f"{name} could not be read back: {error.code().name}"
    lost = [
        LostWrite(e.write, name, found[e.table, e.key])
        for e in expected
        if not _met(e, found[e.table, e.key])
    ]
    return lost, None


def read_back(servers: Mapping[str, str], history: Iterable[Operation]) -> ReadBack:
    """`servers`: replica name -> HOST:PORT, every portal server that holds a replica."""
    expected = expectations(history)
    lost, notes, answered_by = [], [], []
    for name, address in servers.items():
        missing, note = _read_server(name, address, expected)
        if note is None:
            answered_by.append(name)
            lost.extend(missing)
        else:
            notes.append(note)
    return ReadBack(len(expected), tuple(answered_by), tuple(lost), tuple(notes))
