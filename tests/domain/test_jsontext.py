"""SPEC.md's "Input, exactly" for JSON text: surrogates, numbers, depth, duplicate keys, BOM.

Each rule at its boundary, on every kind of record, and a property: whatever the gate
accepts survives everything that later handles it (JSON and UTF-8, the digest, pickle
as in the Raft log, a late joiner's snapshot).
"""

import json
import pickle
from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain import InvalidInput, State, digest
from core.domain import parsing as p
from core.domain.jsontext import MAX_DEPTH, MAX_NUMBER_DIGITS, load
from tests.domain.test_parsing import invalid

# A record of each kind with a slot where the value under test goes.
RECORDS: dict[str, tuple[Callable[[str], object], str]] = {
    "client": (p.client_data, '{{"name": "Ana", "extra": {}}}'),
    "product": (p.product_data, '{{"name": "c", "price": 1, "quantity": 2, "extra": {}}}'),
    "order": (p.order_items, '{{"products": [], "extra": {}}}'),
}


def each_record(value: str) -> list[tuple[Callable[[str], object], str]]:
    return [(parse, template.format(value)) for parse, template in RECORDS.values()]


def nested(levels: int) -> str:
    """`levels` arrays, one inside the other."""
    return "[" * levels + "]" * levels


# Unpaired surrogates


@pytest.mark.parametrize(
    "text",
    [
        '"\\ud800"',
        '"\\udfff"',
        '"a\\uDBFFb"',
        '"\\ude00\\ud83d"',  # a pair in the wrong order is two unpaired halves
        '["x", {"k": "\\ud800"}]',
        '{"\\ud800": 1}',
    ],
)
def test_a_string_with_an_unpaired_surrogate_is_refused(text: str) -> None:
    for parse, data in each_record(text):
        invalid(partial(parse, data), "surrogate", "extra")


def test_a_surrogate_in_a_name_or_an_order_line_pid_is_refused() -> None:
    invalid(lambda: p.client_data('{"name": "\\ud800"}'), "surrogate", "name")
    invalid(lambda: p.product_data('{"name": "\\ud800", "price": 1, "quantity": 1}'), "surrogate")
    invalid(lambda: p.order_items('[{"PID": "\\ud800", "quantity": 1}]'), "surrogate", "PID")


def test_a_raw_lone_surrogate_is_refused_too() -> None:
    invalid(lambda: p.client_data('{"name": "a\ud800"}'), "surrogate")


def test_a_surrogate_pair_is_one_character_and_accepted() -> None:
    assert p.client_data('{"name": "\\ud83d\\ude00"}') == {"name": "\U0001f600"}


def test_an_escaped_backslash_before_u_is_not_a_surrogate() -> None:
    assert p.client_data('{"name": "\\\\ud800"}') == {"name": "\\ud800"}


# Numbers


def test_a_number_of_4300_digits_is_accepted_and_4301_refused() -> None:
    fraction = "0." + "0" * (MAX_NUMBER_DIGITS - 2)
    assert load(f"[{fraction}1]", "client") == [0.0]
    invalid(lambda: load(f"[{fraction}01]", "client"), "4300 digits")


@pytest.mark.parametrize(
    "number", ["1e309", "-1e309", "1" + "0" * 309, "1" + "0" * 250 + "e99", "1E+0400"]
)
def test_numbers_not_finite_as_a_float_are_refused(number: str) -> None:
    for parse, data in each_record(number):
        invalid(partial(parse, data), "not finite", "64-bit")


@pytest.mark.parametrize("number", ["1e308", "-1.7976931348623157e308", "1" + "0" * 300, "1e-400"])
def test_large_finite_numbers_are_kept(number: str) -> None:
    assert p.client_data(f'{{"name": "x", "n": {number}}}')["n"] == json.loads(number)


# Depth


def test_32_levels_are_accepted_and_33_refused() -> None:
    assert load(nested(MAX_DEPTH), "client") is not None
    invalid(lambda: load(nested(MAX_DEPTH + 1), "client"), "32 levels")
    # The record itself is level 1, so its field holds 31 more.
    for parse, data in each_record(nested(MAX_DEPTH - 1)):
        parse(data)
    for parse, data in each_record(nested(MAX_DEPTH)):
        invalid(partial(parse, data), "32 levels", "extra")


def test_objects_count_as_levels_like_arrays() -> None:
    def objects(levels: int) -> str:
        return '{"a": ' * levels + "1" + "}" * levels

    assert p.client_data(f'{{"name": "x", "a": {objects(MAX_DEPTH - 1)}}}')
    invalid(lambda: p.client_data(f'{{"name": "x", "a": {objects(MAX_DEPTH)}}}'), "32 levels")


def test_brackets_inside_strings_are_not_levels() -> None:
    assert p.client_data(json.dumps({"name": nested(100)}))["name"] == nested(100)


def test_very_deep_nesting_is_refused_not_crashing() -> None:
    invalid(lambda: load(nested(30_000), "client"), "32 levels")


# Duplicate keys, byte-order mark


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "a", "name": "b"}',
        '{"name": "a", "x": {"k": 1, "k": 1}}',
        '{"name": "a", "na\\u006de": "b"}',  # the same key once decoded
        '{"name": "a", "x": [{"PID": "1", "PID": "2"}]}',
    ],
)
def test_an_object_that_names_a_key_twice_is_refused(text: str) -> None:
    invalid(lambda: p.client_data(text), "twice")


def test_the_same_key_in_two_objects_is_fine() -> None:
    assert p.client_data('{"name": "a", "x": [{"k": 1}, {"k": 2}]}')


def test_a_byte_order_mark_is_refused() -> None:
    for parse, data in each_record("1"):
        invalid(partial(parse, "\ufeff" + data), "byte-order mark")
    assert p.client_data('{"name": "\ufeff"}') == {"name": "\ufeff"}


# Whatever passes can be stored, sent and read back.

HOSTILE_PIECES = [
    '"\\ud800"',
    '"\\ud83d\\ude00"',
    "1e400",
    "1e18",
    "-0",
    "3.0",
    "1" + "0" * 320,
    nested(MAX_DEPTH - 1),
    nested(MAX_DEPTH),
    '{"k": 1, "k": 2}',
    '"\\u0000"',
    '"\\ufeff"',
    '"\u2028"',
]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(codec=None, categories=None), max_size=8),  # surrogates too
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=20,
)


@st.composite
def hostile_texts(draw: st.DrawFn) -> str:
    """A client record made of random JSON and pieces that break a rule, or nearly do."""
    fields = draw(st.dictionaries(st.text(max_size=4), json_values, max_size=4))
    text = json.dumps({"name": "x", **fields}, ensure_ascii=draw(st.booleans()))
    extras = draw(st.lists(st.sampled_from(HOSTILE_PIECES), max_size=3))
    nest = draw(st.integers(0, MAX_DEPTH + 1))
    pieces = "".join(f', "h{n}": {"[" * nest}{piece}{"]" * nest}' for n, piece in enumerate(extras))
    return text[:-1] + pieces + "}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_texts())
def test_whatever_is_accepted_survives_storage_transport_and_reads(text: str) -> None:
    try:
        data = p.client_data(text)
    except InvalidInput:
        return
    tables = {"clients": {"c": data}, "products": {}, "orders": {}}
    # Reads, digests and MQTT messages: JSON text in UTF-8, which reads back the same.
    sent = json.dumps(tables, ensure_ascii=False, allow_nan=False).encode("utf-8")
    assert json.loads(sent) == tables
    assert digest(tables) == digest(json.loads(sent))
    # A late joiner's snapshot, and the Raft log's pickles.
    assert State.from_snapshot(json.loads(sent)).snapshot() == tables
    assert pickle.loads(pickle.dumps(tables, pickle.HIGHEST_PROTOCOL)) == tables
    # And it passes the gate again as it is read back.
    assert p.client_data(json.dumps(data, ensure_ascii=False)) == data
