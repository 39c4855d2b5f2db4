"""The portal's LRU read cache: hits, eviction, this portal's writes, reads racing them."""

from core.domain.partitions import Key
from plugins.pysyncobj_raft_partitioned.portal.cache import Cache

KEY: Key = ("products", "1")


def test_a_record_read_is_served_until_evicted_least_recently_used_first() -> None:
    cache = Cache(2)
    for n in ("1", "2"):
        cache.put(("products", n), {"n": n}, 5, cache.epoch())
    assert cache.get(("products", "1")) is not None  # now the most recent
    cache.put(("products", "3"), None, 6, cache.epoch())  # an absent record is cached too
    assert cache.get(("products", "2")) is None
    found = cache.get(("products", "3"))
    assert found is not None and found.value is None and found.applied_index == 6
    assert (cache.hits, cache.misses, len(cache)) == (2, 1, 2)


def test_of_two_reads_the_later_log_index_is_kept() -> None:
    cache = Cache(10)
    cache.put(KEY, {"v": 2}, 9, cache.epoch())
    cache.put(KEY, {"v": 1}, 7, cache.epoch())  # a lagging replica's answer
    found = cache.get(KEY)
    assert found is not None and found.value == {"v": 2}


def test_a_read_that_began_before_this_portals_write_cannot_put_the_old_value_back() -> None:
    cache = Cache(10)
    cache.put(KEY, {"v": 1}, 3, cache.epoch())
    began = cache.epoch()
    cache.drop([KEY])  # this portal wrote the record
    assert cache.get(KEY) is None
    cache.put(KEY, {"v": 1}, 3, began)
    assert cache.get(KEY) is None
    cache.put(KEY, {"v": 2}, 4, cache.epoch())  # a read begun after the write
    found = cache.get(KEY)
    assert found is not None and found.value == {"v": 2}


def test_size_zero_turns_it_off() -> None:
    cache = Cache(0)
    cache.put(KEY, {"v": 1}, 1, cache.epoch())
    assert cache.get(KEY) is None and len(cache) == 0 and cache.hits == cache.misses == 0
