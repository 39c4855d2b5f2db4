"""Queries: the records they need, from their partitions or the cache, answered by the domain.

A query reads its records (a client, a product, an order; for a client's orders, the
client's list of OIDs, then each order from its own partition), builds a view `State`
of them and asks `core.domain.query`, so the answer is rendered as on every other
strategy. A record a transaction holds is LOCKED: the read is retried until its
timeout, so no reader sees one partition's half of an order before the other's.

A client's orders are read record by record, not as one snapshot: an order deleted
between reading the list and reading it is left out, one created since is not yet
listed (each record itself is read at the partition's read consistency).
"""

import random
import time
from collections.abc import Callable, Collection
from typing import Any, Final

from core.domain import Query, query
from core.domain import commands as c
from core.domain.partitions import Key, Value, by_partition, view
from core.replication import Unavailable
from plugins.pysyncobj_raft_partitioned.portal.answers import Answer, Status
from plugins.pysyncobj_raft_partitioned.portal.cache import Cache
from plugins.pysyncobj_raft_partitioned.portal.fanout import Fanout
from plugins.pysyncobj_raft_partitioned.portal.storage import Storage

FIRST_PAUSE_S: Final = 0.005  # the first pause after LOCKED; it doubles, jittered
MAX_PAUSE_S: Final = 0.05  # each retry of a read through the log is a log entry
RETRY: Final = "the read was not answered, retry it"


class Reader:
    def __init__(self, storage: Storage, cache: Cache, fanout: Fanout, timeout: float) -> None:
        self._storage = storage
        self._cache = cache
        self._fanout = fanout
        self._timeout = timeout

    def read(self, q: Query) -> Any:
        deadline = time.monotonic() + self._timeout
        if isinstance(q, c.GetClientOrders):
            return self._client_orders(q, deadline)
        return query(q, view(self._records({_key(q)}, deadline)))

    def _client_orders(self, q: c.GetClientOrders, deadline: float) -> Any:
        listed: Key = ("client_orders", q.cid)
        oids = self._records({listed}, deadline)[listed] or []
        orders = self._records({("orders", oid) for oid in oids}, deadline)
        present = [
            oid
            for oid in oids
            if (order := orders[("orders", oid)]) is not None and order["CID"] == q.cid
        ]
        return query(q, view({**orders, listed: present or None}))

    def _records(self, keys: Collection[Key], deadline: float) -> dict[Key, Value]:
        found: dict[Key, Value] = {}
        for key in keys:
            if (cached := self._cache.get(key)) is not None:
                found[key] = cached.value
        missing = {key: None for key in keys if key not in found}
        groups = by_partition(missing, self._storage.partitions)
        answers = self._fanout.each(
            {part: self._reader(part, group, deadline) for part, group in groups.items()}
        )
        for partition, answer in answers.items():
            found.update({key: answer.records.get(key) for key in groups[partition]})
        return found

    def _reader(
        self, partition: int, group: Collection[Key], deadline: float
    ) -> Callable[[], Answer]:
        return lambda: self._read(partition, sorted(group), deadline)

    def _read(self, partition: int, keys: list[Key], deadline: float) -> Answer:
        """One partition's records, retried while locked; cached with the index read at."""
        pause = FIRST_PAUSE_S
        while True:
            since = self._cache.epoch()
            answer = self._storage.read(partition, keys, deadline)
            if answer.ok:
                for key in keys:
                    self._cache.put(key, answer.records.get(key), answer.applied_index, since)
                return answer
            remaining = deadline - time.monotonic()
            if answer.status is not Status.LOCKED or remaining <= 0:
                raise Unavailable(_why(partition, answer, self._timeout) + f"; {RETRY}")
            time.sleep(min(remaining, random.uniform(0, pause)))
            pause = min(MAX_PAUSE_S, pause * 2)


def _key(q: c.GetClient | c.GetProduct | c.GetOrder) -> Key:
    if isinstance(q, c.GetClient):
        return ("clients", q.cid)
    if isinstance(q, c.GetProduct):
        return ("products", q.pid)
    return ("orders", q.oid)


def _why(partition: int, answer: Answer, timeout: float) -> str:
    if answer.status is Status.LOCKED:
        return f"partition {partition}: the record stayed locked by a transaction for {timeout:g} s"
    return f"partition {partition} did not answer in time ({answer.detail})"
