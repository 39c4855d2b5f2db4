"""The snapshot stream, the same for every store: a header line, then one line per record.

The header is a JSON object (format, tables, applied index, record count, digest); each
record is the JSON array [table, key, value], in table order, then key order. JSON text
never holds a raw newline, so lines split cleanly. The count, the order and the digest
make the stream check itself: a reader finds a truncated, padded, repeated or altered
stream before the store commits any of it.
"""

import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from plugins.pysyncobj_raft_partitioned.store import digest
from plugins.pysyncobj_raft_partitioned.store.codec import encode_key, encode_value
from plugins.pysyncobj_raft_partitioned.store.errors import CorruptSnapshot, StoreError

FORMAT: Final = "replication-testbed-store/1"
Record = tuple[str, bytes, bytes]  # table, key, canonical value


@dataclass(frozen=True, slots=True)
class Header:
    tables: list[str]
    applied_index: int
    records: int
    digest: str


def _text(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write(out: IO[bytes], header: Header, records: Iterable[Record]) -> None:
    out.write(
        _text(
            {
                "format": FORMAT,
                "tables": header.tables,
                "applied_index": header.applied_index,
                "records": header.records,
                "digest": header.digest,
            }
        )
        + b"\n"
    )
    for table, key, value in records:
        out.write(b"[" + _text(table) + b"," + _text(key.decode("utf-8")) + b"," + value + b"]\n")


def _header(line: bytes, tables: Collection[str]) -> Header:
    try:
        fields = json.loads(line)
        header = Header(
            list(fields["tables"]), fields["applied_index"], fields["records"], fields["digest"]
        )
        known = fields["format"] == FORMAT
    except (ValueError, TypeError, KeyError) as error:
        raise CorruptSnapshot(f"the snapshot's header is not readable: {error}") from None
    if not known:
        raise CorruptSnapshot(f"the snapshot is not in the format {FORMAT}")
    if header.tables != list(tables):
        raise CorruptSnapshot(
            f"the snapshot holds the tables {header.tables}, this store {list(tables)}"
        )
    if not isinstance(header.applied_index, int) or header.applied_index < 0:
        raise CorruptSnapshot(
            f"the snapshot's applied index {header.applied_index!r:.40} is not valid"
        )
    return header


def _record(line: bytes, tables: Collection[str]) -> Record:
    try:
        table, key, value = json.loads(line)
        known = isinstance(table, str) and table in tables
        record = (table, encode_key(key), encode_value(value, f"{table}[{key!r:.80}]"))
    except (ValueError, TypeError, StoreError) as error:
        raise CorruptSnapshot(f"the snapshot has an unreadable record: {error}") from None
    if not known:
        raise CorruptSnapshot(f"the snapshot has a record in the unknown table {table!r:.80}")
    return record


def read(source: IO[bytes], tables: Collection[str]) -> tuple[Header, Iterator[Record]]:
    """The header, and the records: the iterator raises CorruptSnapshot once it has read
    them all if they do not match the header. Consume it all before committing them."""
    header = _header(source.readline(), tables)

    def records() -> Iterator[Record]:
        count, total = 0, digest.EMPTY
        order = {name: position for position, name in enumerate(tables)}
        last = (-1, b"")
        for line in source:
            count += 1
            if count > header.records:
                raise CorruptSnapshot(f"the snapshot has more than its {header.records} records")
            record = _record(line, tables)
            # Sorted and without repeats, as written: a repeated record cannot hide.
            if (place := (order[record[0]], record[1])) <= last:
                raise CorruptSnapshot(f"the snapshot's record {count} is out of order")
            last = place
            total = digest.with_record(total, digest.record_hash(*record))
            yield record
        if count < header.records:
            raise CorruptSnapshot(f"the snapshot has {count} of its {header.records} records")
        if digest.hexdigest(total) != header.digest:
            raise CorruptSnapshot("the snapshot's records do not match its digest")

    return header, records()
