"""Each method's contract (store/interface.py), on both stores."""

import threading
from typing import Any

import pytest

from plugins.pysyncobj_raft_partitioned.store import (
    MAX_KEY_BYTES,
    Delete,
    InvalidKey,
    InvalidValue,
    Put,
    StaleIndex,
    Store,
    StoreClosed,
    StoreError,
    UnknownTable,
    Write,
)
from tests.plugins.pysyncobj_raft_partitioned.store.conftest import OpenStore
from tests.plugins.pysyncobj_raft_partitioned.store.support import state

EMPTY_DIGEST = "0" * 64
BAD_KEYS = ["", "\ud800", "a" * (MAX_KEY_BYTES + 1), "\U0001f600" * (MAX_KEY_BYTES // 4 + 1), 5]
BAD_VALUES = [
    None,
    ("a", "tuple"),
    {1: "int key"},
    {"nested": {2: "int key"}},
    float("nan"),
    {"x": float("inf")},
    {"a", "set"},
    b"bytes",
    "\ud800",
    {"key \udfff": 1},
    10**5000,
]


def nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def test_a_new_store_is_empty_at_index_0(store: Store) -> None:
    assert store.applied_index() == 0
    assert store.digest() == EMPTY_DIGEST
    assert store.get("clients", "1") is None
    assert store.scan("clients") == []


def test_get_returns_what_was_put_and_none_for_a_missing_key(store: Store) -> None:
    record = {"name": "Ana", "tags": ["a", "é"], "n": 1.5, "ok": True, "none": None}
    store.apply(1, [Put("clients", "1", record), Put("products", "1", [1, 2])])
    assert store.get("clients", "1") == record
    assert store.get("products", "1") == [1, 2]
    assert store.get("orders", "1") is None
    assert store.get("clients", "2") is None


def test_an_objects_keys_come_back_in_the_order_given(store: Store) -> None:
    # A client's data comes back as it sent it (SPEC.md: extra fields kept verbatim).
    record = {"name": "Ana", "zeta": 1, "alpha": {"z": 1, "b": [{"y": 1, "a": 2}]}}
    store.apply(1, [Put("clients", "1", record)])
    for found in (store.get("clients", "1"), store.scan("clients")[0][1]):
        assert found == record
        assert list(found) == ["name", "zeta", "alpha"]
        assert list(found["alpha"]) == ["z", "b"] and list(found["alpha"]["b"][0]) == ["y", "a"]


def test_the_store_keeps_its_own_copies(store: Store) -> None:
    given: dict[str, Any] = {"name": "Ana", "items": [1]}
    store.apply(1, [Put("clients", "1", given)])
    given["items"].append(2)  # the caller changes what it gave
    returned = store.get("clients", "1")
    assert returned is not None
    returned["items"].append(3)  # and what it got
    store.scan("clients")[0][1]["items"].append(4)
    assert store.get("clients", "1") == {"name": "Ana", "items": [1]}


@pytest.mark.parametrize("key", ["a" * MAX_KEY_BYTES, "\U0001f600" * (MAX_KEY_BYTES // 4), "\x00"])
def test_keys_up_to_the_limit_are_kept(store: Store, key: str) -> None:
    store.apply(1, [Put("orders", key, {"k": key})])
    assert store.get("orders", key) == {"k": key}
    assert store.scan("orders") == [(key, {"k": key})]


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_a_key_no_record_can_have_is_refused(store: Store, key: Any) -> None:
    with pytest.raises(InvalidKey):
        store.get("clients", key)
    with pytest.raises(InvalidKey):
        store.scan("clients", start=key)
    with pytest.raises(InvalidKey):
        store.apply(1, [Delete("clients", key)])
    assert store.applied_index() == 0


def test_an_unknown_table_is_refused_by_every_call(store: Store) -> None:
    with pytest.raises(UnknownTable, match="'accounts'"):
        store.get("accounts", "1")
    with pytest.raises(UnknownTable):
        store.scan("accounts")
    with pytest.raises(UnknownTable):
        store.apply(1, [Put("accounts", "1", {})])


def test_scan_sorts_by_code_point(store: Store) -> None:
    keys = ["b", "a", "é", "Z", "10", "9", "\U0001f600", "\uffff", "a\x00", "ab"]
    store.apply(1, [Put("clients", key, key) for key in keys])
    assert [key for key, _ in store.scan("clients")] == sorted(keys)


def test_long_keys_that_share_a_long_prefix_sort_and_bound_like_any_other(store: Store) -> None:
    # LMDB keeps the first 480 bytes of these and a hash: the order must not be the hash's.
    keys = ["p" * 600 + str(n) for n in range(30)] + ["p" * 480, "p" * 479 + "q", "q"]
    store.apply(1, [Put("clients", key, key) for key in keys])
    ordered = sorted(keys)
    assert [key for key, _ in store.scan("clients")] == ordered
    for position, key in enumerate(ordered):
        assert [k for k, _ in store.scan("clients", start=key)] == ordered[position:]
        assert [k for k, _ in store.scan("clients", stop=key)] == ordered[:position]
        assert store.scan("clients", start=key, limit=1) == [(key, key)]
        assert store.get("clients", key) == key


def test_scan_bounds_and_limit(store: Store) -> None:
    store.apply(1, [Put("clients", key, key) for key in "abcdef"])

    def keys(**bounds: Any) -> str:
        return "".join(key for key, _ in store.scan("clients", **bounds))

    assert keys(start="b", stop="e") == "bcd"
    assert keys(start="bb") == "cdef"
    assert keys(stop="c") == "ab"
    assert keys(start="z") == ""
    assert keys(start="c", stop="c") == ""
    assert keys(limit=2) == "ab"
    assert keys(start="d", limit=5) == "def"
    assert keys(limit=0) == ""
    with pytest.raises(ValueError, match="limit"):
        store.scan("clients", limit=-1)


def test_tables_are_separate(store: Store) -> None:
    store.apply(1, [Put("clients", "1", "client"), Put("orders", "1", "order")])
    store.apply(2, [Delete("clients", "1")])
    assert store.scan("clients") == []
    assert store.scan("orders") == [("1", "order")]


def test_the_index_must_grow_but_may_skip(store: Store) -> None:
    store.apply(3, [])
    assert store.applied_index() == 3
    for stale in (3, 2, 0, -1):
        with pytest.raises(StaleIndex, match="greater than the applied index 3"):
            store.apply(stale, [Put("clients", "1", {})])
    with pytest.raises(StaleIndex):
        store.apply(True, [])
    store.apply(10, [Put("clients", "1", {})])
    assert store.applied_index() == 10
    assert store.get("clients", "1") == {}


def test_writes_to_one_record_apply_in_order(store: Store) -> None:
    store.apply(
        1,
        [
            Put("clients", "a", 1),
            Put("clients", "a", 2),
            Put("clients", "b", 1),
            Delete("clients", "b"),
            Delete("clients", "c"),
            Put("clients", "c", 3),
            Delete("clients", "missing"),
        ],
    )
    assert store.scan("clients") == [("a", 2), ("c", 3)]


@pytest.mark.parametrize("value", [*BAD_VALUES, nested(100_000)], ids=lambda v: type(v).__name__)
def test_a_batch_with_a_bad_value_applies_nothing(open_store: OpenStore, value: Any) -> None:
    store = open_store()
    store.apply(1, [Put("clients", "1", {"v": 1})])
    before = state(store)
    batch: list[Write] = [
        Put("clients", "1", {"v": 2}),
        Delete("clients", "1"),
        Put("orders", "2", {}),
    ]
    with pytest.raises(InvalidValue, match=r"orders\['9'\]"):
        store.apply(2, [*batch, Put("orders", "9", value), Put("orders", "3", {})])
    assert state(store) == before
    store.apply(2, batch)  # the failed batch left the store usable at the same index
    assert store.get("orders", "2") == {}


@pytest.mark.parametrize(
    "bad",
    [Put("accounts", "1", {}), Put("clients", "", {}), "not a write", ("clients", "1", {})],
    ids=repr,
)
def test_a_batch_with_a_bad_write_applies_nothing(store: Store, bad: Any) -> None:
    before = state(store)
    with pytest.raises(StoreError):
        store.apply(1, [Put("clients", "1", {}), bad])
    assert state(store) == before


def test_the_digest_follows_the_records(store: Store) -> None:
    store.apply(1, [Put("clients", "1", {"a": 1})])
    one = store.digest()
    store.apply(2, [Put("clients", "2", {"a": 1})])
    two = store.digest()
    store.apply(3, [Put("clients", "2", {"a": 1})])  # the same value again
    assert store.digest() == two
    store.apply(4, [Delete("clients", "2")])
    assert store.digest() == one
    store.apply(5, [Put("clients", "1", {"a": 1.0})])  # 1.0 is not 1
    assert store.digest() not in (one, two)
    store.apply(6, [Delete("clients", "1")])
    assert store.digest() == EMPTY_DIGEST


def test_the_digest_tells_tables_keys_and_values_apart(open_store: OpenStore) -> None:
    variants = [
        [Put("clients", "1", "x")],
        [Put("orders", "1", "x")],
        [Put("clients", "2", "x")],
        [Put("clients", "1", "y")],
        [Put("clients", "1", "x"), Put("clients", "2", "x")],
        [Put("clients", "12", "")],  # no framing ambiguity between key and value
        [Put("clients", "1", "2")],
        [Put("clients", "1", {"a": 1, "b": 2})],
        [Put("clients", "1", {"b": 2, "a": 1})],  # the same fields in another order
    ]
    digests = set()
    for batch in variants:
        store = open_store()
        store.apply(1, batch)
        digests.add(store.digest())
    assert len(digests) == len(variants)


def test_equal_records_give_equal_digests_whatever_the_history(open_store: OpenStore) -> None:
    direct, roundabout = open_store(), open_store()
    direct.apply(1, [Put("clients", "1", {"a": [1, 2]}), Put("products", "p", {"q": 1})])
    roundabout.apply(4, [Put("products", "p", {"q": 9}), Put("clients", "x", 1)])
    roundabout.apply(7, [Put("clients", "1", {"a": [1, 2]}), Delete("clients", "x")])
    roundabout.apply(9, [Put("products", "p", {"q": 1})])
    assert direct.digest() == roundabout.digest()
    assert direct.applied_index() != roundabout.applied_index()  # not part of the digest


def test_a_closed_store_refuses_every_call(store: Store) -> None:
    store.apply(1, [Put("clients", "1", {})])
    store.close()
    store.close()  # idempotent
    calls = [
        lambda: store.get("clients", "1"),
        lambda: store.scan("clients"),
        lambda: store.apply(2, []),
        store.applied_index,
        store.digest,
    ]
    for call in calls:
        with pytest.raises(StoreClosed):
            call()


def test_readers_never_see_part_of_a_batch(store: Store) -> None:
    batches = 150
    torn: list[object] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            values = {value for _, value in store.scan("locks")}
            value = store.get("locks", "a")
            index = store.applied_index()  # read last: it only grows
            if len(values) > 1 or (value is not None and value > index):
                torn.append(values)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for index in range(1, batches + 1):
            store.apply(index, [Put("locks", key, index) for key in "abcdef"])
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert torn == []
    assert store.scan("locks") == [(key, batches) for key in "abcdef"]
