"""A reply's certainty: the only one possible for most codes, and a 503 must say which."""

import pickle

import pytest

from core.domain import Certainty, Code, Reply


@pytest.mark.parametrize(
    ("code", "certainty"),
    [
        (Code.OK, Certainty.DONE),
        (Code.INVALID, Certainty.REFUSED),
        (Code.FORBIDDEN, Certainty.REFUSED),
        (Code.NOT_FOUND, Certainty.REFUSED),
        (Code.CONFLICT, Certainty.REFUSED),
        (Code.INTERNAL, Certainty.UNKNOWN),
    ],
)
def test_a_reply_knows_what_its_code_proves(code: Code, certainty: Certainty) -> None:
    assert Reply(code, "why").certainty is certainty
    assert Reply(code, "why", certainty).certainty is certainty


@pytest.mark.parametrize("certainty", [Certainty.NONE, Certainty.UNKNOWN])
def test_a_503_carries_the_certainty_it_was_given(certainty: Certainty) -> None:
    assert Reply(Code.UNAVAILABLE, "no leader", certainty).certainty is certainty


def test_a_503_without_a_certainty_is_refused() -> None:
    with pytest.raises(ValueError, match=r"503 reply proves 'none' or 'unknown'.*no certainty"):
        Reply(Code.UNAVAILABLE, "no leader")


@pytest.mark.parametrize(
    ("code", "certainty"),
    [
        (Code.OK, Certainty.UNKNOWN),
        (Code.CONFLICT, Certainty.NONE),
        (Code.INTERNAL, Certainty.DONE),
        (Code.UNAVAILABLE, Certainty.DONE),
        (Code.UNAVAILABLE, Certainty.REFUSED),
    ],
)
def test_a_certainty_its_code_cannot_prove_is_refused(code: Code, certainty: Certainty) -> None:
    with pytest.raises(ValueError, match=f"{code.value} reply proves .*given '{certainty}'"):
        Reply(code, "", certainty)


def test_a_reply_survives_pickling_as_pysyncobj_would_carry_it() -> None:
    reply = Reply(Code.UNAVAILABLE, "the leader changed", Certainty.UNKNOWN)
    assert pickle.loads(pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)) == reply
