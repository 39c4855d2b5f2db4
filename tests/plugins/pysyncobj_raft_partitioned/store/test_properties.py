"""Random batches: both stores agree with a dict model, and with each other, on everything."""

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.pysyncobj_raft_partitioned.store import (
    Delete,
    LmdbStore,
    MemoryStore,
    Put,
    Write,
    digest,
)
from plugins.pysyncobj_raft_partitioned.store.codec import encode_key, encode_value

TABLES = ("clients", "orders", "locks")
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=6)
# Keys around LMDB's limits: long keys share prefixes beyond the part LMDB sorts on.
KEYS = st.one_of(
    st.sampled_from(["1", "10", "9", "é", "\U0001f600", "a" * 479, "a" * 480, "a" * 481]),
    st.sampled_from(["x", "y", "é" * 200]).map(lambda tail: "a" * 600 + tail),
    TEXT.filter(bool),
)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
VALUES = st.recursive(
    SCALARS | st.none(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
).filter(lambda value: value is not None)
WRITES = st.one_of(
    st.builds(Put, st.sampled_from(TABLES), KEYS, VALUES),
    st.builds(Delete, st.sampled_from(TABLES), KEYS),
)
BATCHES = st.lists(st.lists(WRITES, max_size=8), min_size=1, max_size=6)
Model = dict[str, dict[str, Any]]


def applied(model: Model, batch: list[Write]) -> Model:
    for write in batch:
        if isinstance(write, Put):
            model[write.table][write.key] = write.value
        else:
            model[write.table].pop(write.key, None)
    return model


def recomputed(model: Model) -> str:
    """The digest by its definition, from the whole state: what `apply` keeps current."""
    total = digest.EMPTY
    for table, records in model.items():
        for key, value in records.items():
            hashed = digest.record_hash(table, encode_key(key), encode_value(value, key))
            total = digest.with_record(total, hashed)
    return digest.hexdigest(total)


def lmdb_store(directory: str) -> LmdbStore:
    # Durability changes nothing here but the time fsync takes.
    return LmdbStore(Path(directory), tables=TABLES, durability="none")


@settings(deadline=None, max_examples=150)
@given(BATCHES)
def test_both_stores_agree_with_a_dict_after_every_batch(batches: list[list[Write]]) -> None:
    model: Model = {table: {} for table in TABLES}
    memory = MemoryStore(TABLES)
    with tempfile.TemporaryDirectory() as directory:
        lmdb = lmdb_store(directory)
        try:
            for index, batch in enumerate(batches, start=1):
                applied(model, batch)
                for store in (memory, lmdb):
                    store.apply(index, batch)
                    for table in TABLES:
                        assert store.scan(table) == sorted(model[table].items())
                        for key, value in model[table].items():
                            assert store.get(table, key) == value
                assert lmdb.digest() == memory.digest() == recomputed(model)
        finally:
            lmdb.close()


@settings(deadline=None, max_examples=100)
@given(BATCHES, st.randoms(use_true_random=False))
def test_the_same_records_by_another_history_give_the_same_digest(
    batches: list[list[Write]], chance: Any
) -> None:
    memory = MemoryStore(TABLES)
    for index, batch in enumerate(batches, start=1):
        memory.apply(index, batch)
    model: Model = {table: {} for table in TABLES}
    for batch in batches:
        applied(model, batch)
    puts: list[Write] = [Put(t, key, value) for t in TABLES for key, value in model[t].items()]
    chance.shuffle(puts)
    with tempfile.TemporaryDirectory() as directory:
        lmdb = lmdb_store(directory)
        try:
            lmdb.apply(1, puts)  # the final records at once, in another order
            assert lmdb.digest() == memory.digest()
        finally:
            lmdb.close()


@settings(deadline=None, max_examples=100)
@given(
    st.lists(WRITES, max_size=16),
    st.none() | KEYS,
    st.none() | KEYS,
    st.none() | st.integers(0, 5),
)
def test_scans_with_bounds_are_slices_of_the_sorted_table(
    batch: list[Write], start: str | None, stop: str | None, limit: int | None
) -> None:
    model = applied({table: {} for table in TABLES}, batch)
    expected = [
        (key, value)
        for key, value in sorted(model["orders"].items())
        if (start is None or key >= start) and (stop is None or key < stop)
    ][:limit]
    memory = MemoryStore(TABLES)
    with tempfile.TemporaryDirectory() as directory:
        lmdb = lmdb_store(directory)
        try:
            for store in (memory, lmdb):
                store.apply(1, batch)
                assert store.scan("orders", start, stop, limit) == expected
        finally:
            lmdb.close()
