"""The domain's keys and values as proto/storage.proto's messages, and back.

A record's value travels as JSON text (a record, a list of OIDs or a count); an
absent `json` is no record, and in a write, a deletion.
"""

import json
from collections.abc import Iterable, Mapping
from typing import cast

from core.domain.partitions import Key, RecordTable, Value
from proto import storage_pb2 as pb


def key_message(key: Key) -> pb.Key:
    return pb.Key(table=key[0], id=key[1])


def record_message(key: Key, value: Value) -> pb.Record:
    if value is None:
        return pb.Record(key=key_message(key))
    return pb.Record(key=key_message(key), json=json.dumps(value, ensure_ascii=False))


def records_of(records: Iterable[pb.Record]) -> dict[Key, Value]:
    return {
        (cast(RecordTable, record.key.table), record.key.id): (
            json.loads(record.json) if record.HasField("json") else None
        )
        for record in records
    }


def record_messages(changes: Mapping[Key, Value]) -> list[pb.Record]:
    return [record_message(key, changes[key]) for key in sorted(changes)]
