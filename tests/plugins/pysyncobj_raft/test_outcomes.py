"""503 replies say whether the command may still commit: in their certainty, and in words."""

import pytest
from pysyncobj import FAIL_REASON  # type: ignore[import-untyped]

from core.domain import Certainty, Code
from plugins.pysyncobj_raft.outcomes import failed, refused

NOTHING = "nothing was committed; retry"
UNKNOWN = "the outcome is unknown: it may still commit"


@pytest.mark.parametrize(
    "reason",
    [
        FAIL_REASON.QUEUE_FULL,
        FAIL_REASON.MISSING_LEADER,
        FAIL_REASON.NOT_LEADER,
        FAIL_REASON.DISCARDED,
        FAIL_REASON.REQUEST_DENIED,
    ],
)
def test_a_command_that_never_entered_the_log_or_lost_its_place_did_not_commit(
    reason: int,
) -> None:
    reply = failed(reason, 3.0)
    assert (reply.code, reply.certainty) == (Code.UNAVAILABLE, Certainty.NONE)
    assert reply.description.endswith(NOTHING)
    assert "unknown" not in reply.description


@pytest.mark.parametrize(
    ("reason", "mention"),
    [
        ("Timeout", "no answer within 2.5 s"),
        (FAIL_REASON.LEADER_CHANGED, "leader changed"),
        (FAIL_REASON.UNKNOWN_OUTCOME, "lost track"),
    ],
)
def test_a_command_a_leader_may_hold_has_an_unknown_outcome(reason: object, mention: str) -> None:
    reply = failed(reason, 2.5)
    assert (reply.code, reply.certainty) == (Code.UNAVAILABLE, Certainty.UNKNOWN)
    assert mention in reply.description
    assert UNKNOWN in reply.description


def test_a_refusal_before_submitting_names_its_reason() -> None:
    reply = refused("this node reaches 1 of 3 Raft members, not a majority")
    assert reply.certainty is Certainty.NONE
    assert reply.description == (
        "this node reaches 1 of 3 Raft members, not a majority; nothing was committed; retry"
    )
