"""Redelivered messages are recognised by id, within a bounded memory."""

import pytest

from plugins.mqtt_broadcast.dedup import SeenIds


def test_an_id_counts_once() -> None:
    seen = SeenIds()
    assert seen.first_time("s1.ab:1")
    assert not seen.first_time("s1.ab:1")
    assert seen.first_time("s2.cd:1")


def test_the_oldest_ids_are_forgotten_beyond_the_capacity() -> None:
    seen = SeenIds(capacity=3)
    for n in range(4):
        assert seen.first_time(f"m{n}")
    assert len(seen) == 3
    assert not seen.first_time("m3")
    assert seen.first_time("m0"), "m0 was the oldest, so it was forgotten"


def test_a_capacity_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SeenIds(capacity=0)
