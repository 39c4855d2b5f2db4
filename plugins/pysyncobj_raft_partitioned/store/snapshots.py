"""The snapshot stream, the same for every store: a header line, then one line per record.

The header is a JSON object: format, tables, applied index, record count, digest, and a
checksum of these. Each record is the JSON array [table, key, value], written in table
order, then key order, read in any order. JSON text never holds a raw newline, so lines
split cleanly. The checksum, the count and the digest make the stream check itself: a
reader finds a truncated, padded or altered stream before the store commits any of it.
"""

import hashlib
import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from plugins.pysyncobj_raft_partitioned.store import digest
from plugins.pysyncobj_raft_partitioned.store.codec import encode_key, encode_value
from plugins.pysyncobj_raft_partitioned.store.errors import CorruptSnapshot, StoreError

FORMAT: Final = "replication-testbed-store/1"
Record = tuple[str, bytes, bytes]  # table, key, JSON value (codec.py)


@dataclass(frozen=True, slots=True)
class Header:
    tables: list[str]
    applied_index: int
    records: int
    digest: str


def _text(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )


def _checksum(fields: dict[str, Any]) -> str:
    return hashlib.sha256(_text(fields)).hexdigest()


def write(out: IO[bytes], header: Header, records: Iterable[Record]) -> None:
    fields = {
        "format": FORMAT,
        "tables": header.tables,
        "applied_index": header.applied_index,
        "records": header.records,
        "digest": header.digest,
    }
    out.write(_text({**fields, "checksum": _checksum(fields)}) + b"\n")
    for table, key, value in records:
        out.write(b"[" + _text(table) + b"," + _text(key.decode("utf-8")) + b"," + value + b"]\n")


def _header(line: bytes, tables: Collection[str]) -> Header:
    # The digest covers the records only: the checksum covers the header's own fields.
    try:
        fields = json.loads(line)
        checksum = fields.pop("checksum")
        sound = fields["format"] == FORMAT and checksum == _checksum(fields)
        header = Header(
            list(fields["tables"]), fields["applied_index"], fields["records"], fields["digest"]
        )
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise CorruptSnapshot(f"the snapshot's header is not readable: {error!r}") from None
    if not sound:
        raise CorruptSnapshot(f"the snapshot's header is altered, or not in the format {FORMAT}")
    if header.tables != list(tables):
        raise CorruptSnapshot(
            f"the snapshot holds the tables {header.tables}, this store {list(tables)}"
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
        for line in source:
            count += 1
            if count > header.records:
                raise CorruptSnapshot(f"the snapshot has more than its {header.records} records")
            record = _record(line, tables)
            total = digest.with_record(total, digest.record_hash(*record))
            yield record
        if count < header.records:
            raise CorruptSnapshot(f"the snapshot has {count} of its {header.records} records")
        if digest.hexdigest(total) != header.digest:
            raise CorruptSnapshot("the snapshot's records do not match its digest")

    return header, records()
