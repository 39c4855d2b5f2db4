"""The Partition service's messages as the participant's values, checked on the way in.

Every check runs before anything enters the log, so a bad request changes nothing
and never reaches a replicated method: a table that is not a record table (the
locks and transactions are the participant's own), an ID no store key can hold, a
key of another partition (the portal routed it wrong), JSON that is not a record
value. `BadRequest` names the field and the rule; the service answers it with
INVALID_ARGUMENT.
"""

import json
from collections.abc import Iterable, Mapping
from typing import cast

from core.domain.partitions import Key, Value, partition_of
from plugins.pysyncobj_raft_partitioned.participant import RECORD_TABLES, lock_name
from plugins.pysyncobj_raft_partitioned.store import StoreError
from plugins.pysyncobj_raft_partitioned.store.codec import encode_key, encode_value
from proto import storage_pb2 as pb


class BadRequest(ValueError):
    """A request the service refuses before it enters the log; the message says why."""


def txid(text: str) -> str:
    try:
        encode_key(text)
    except StoreError as error:
        raise BadRequest(f"txid: {error}") from None
    return text


def decider(number: int, partitions: int) -> int:
    if not 0 <= number < partitions:
        raise BadRequest(f"decider: {number} is not a partition, 0 to {partitions - 1}")
    return number


def keys(
    given: Iterable[pb.Key], partition: int, partitions: int, field: str = "keys"
) -> list[Key]:
    return [key(k, partition, partitions, f"{field}[{n}]") for n, k in enumerate(given)]


def key(given: pb.Key, partition: int, partitions: int, field: str) -> Key:
    table, identifier = given.table, given.id
    if table not in RECORD_TABLES:
        raise BadRequest(
            f"{field}.table: {table!r:.80} is not a record table ({', '.join(RECORD_TABLES)})"
        )
    checked = cast(Key, (table, identifier))
    try:
        encode_key(identifier)
        encode_key(lock_name(checked))  # its lock's key must fit the store too
    except StoreError as error:
        raise BadRequest(f"{field}.id: {error}") from None
    owned(identifier, partition, partitions, field)
    return checked


def owned(identifier: str, partition: int, partitions: int, field: str) -> None:
    """BadRequest unless `identifier` lies in `partition` (else the portal routed it wrong)."""
    owner = partition_of(identifier, partitions)
    if owner != partition:
        raise BadRequest(
            f"{field}: {identifier!r:.80} belongs to partition {owner}, not to this "
            f"replica's partition {partition}"
        )


def writes(
    given: Iterable[pb.Record], partition: int, partitions: int, field: str = "writes"
) -> dict[Key, Value]:
    """Records to write (a record without json: delete it); the last one of a key wins."""
    changes: dict[Key, Value] = {}
    for n, record in enumerate(given):
        where = f"{field}[{n}]"
        checked = key(record.key, partition, partitions, f"{where}.key")
        changes[checked] = value(record, where) if record.HasField("json") else None
    return changes


def value(record: pb.Record, field: str) -> Value:
    try:
        parsed = json.loads(record.json)
        encode_value(parsed, field)
    except (ValueError, RecursionError) as error:
        raise BadRequest(f"{field}.json: not JSON text: {error}") from None
    except StoreError as error:
        raise BadRequest(f"{field}.json: {error}") from None
    return parsed


def partition_writes(
    given: Iterable[pb.PartitionWrites], partitions: int
) -> dict[int, dict[Key, Value]]:
    split: dict[int, dict[Key, Value]] = {}
    for n, part in enumerate(given):
        where = f"writes[{n}]"
        if not 0 <= part.partition < partitions:
            raise BadRequest(
                f"{where}.partition: {part.partition} is not a partition, 0 to {partitions - 1}"
            )
        if part.partition in split:
            raise BadRequest(f"{where}.partition: partition {part.partition} is listed twice")
        split[part.partition] = writes(part.writes, part.partition, partitions, f"{where}.writes")
    return split


def records(values: Mapping[Key, Value]) -> list[pb.Record]:
    return [
        pb.Record(key=pb.Key(table=table, id=identifier))
        if found is None
        else pb.Record(key=pb.Key(table=table, id=identifier), json=_text(found))
        for (table, identifier), found in values.items()
    ]


def partition_records(split: Mapping[int, Mapping[Key, Value]]) -> list[pb.PartitionWrites]:
    return [
        pb.PartitionWrites(partition=part, writes=records(changes))
        for part, changes in sorted(split.items())
    ]


def _text(found: Value) -> str:
    return json.dumps(found, ensure_ascii=False, separators=(",", ":"))
