"""Why a command could not be confirmed, and whether it may still commit.

A 503 reply is either `Certainty.NONE`, "nothing was committed" (the command never
entered a leader's log, or an entry of another command took its place), or
`Certainty.UNKNOWN`, "the outcome is unknown" (a leader may hold it: it can still
commit after the caller gave up, so a client should read before retrying). The
description says it to a person; the certainty says it to a program.
"""

from pysyncobj import FAIL_REASON  # type: ignore[import-untyped]

from core.domain import Certainty, Code, Reply

RETRY = "nothing was committed; retry"
UNKNOWN = "the outcome is unknown: it may still commit, so read the record before retrying"

# What each of PySyncObj's failure reasons proves about the command.
_REFUSED = {
    FAIL_REASON.QUEUE_FULL: "this node's Raft command queue is full",
    FAIL_REASON.MISSING_LEADER: "there is no Raft leader right now (an election is under way)",
    FAIL_REASON.NOT_LEADER: "the node this command was sent to is no longer the Raft leader",
    FAIL_REASON.DISCARDED: "a new Raft leader committed another command in its place",
    FAIL_REASON.REQUEST_DENIED: "the Raft leader refused the command",
}
_IN_DOUBT = {
    FAIL_REASON.LEADER_CHANGED: "the Raft leader changed before confirming the command",
    FAIL_REASON.UNKNOWN_OUTCOME: "the Raft leader lost track of the command",
}


def refused(reason: str) -> Reply:
    """The command is known not to have committed: the caller may simply retry."""
    return Reply(Code.UNAVAILABLE, f"{reason}; {RETRY}", Certainty.NONE)


def failed(error_code: object, timeout: float) -> Reply:
    """The reply for a SyncObjException's `errorCode` (a FAIL_REASON, or "Timeout")."""
    reason, certain = explain(error_code, timeout)
    if certain:
        return refused(reason)
    return Reply(Code.UNAVAILABLE, f"{reason}; {UNKNOWN}", Certainty.UNKNOWN)


def explain(error_code: object, timeout: float) -> tuple[str, bool]:
    """Why the log gave no answer, and whether the entry is certain not to commit."""
    if error_code in _REFUSED:
        return _REFUSED[error_code], True
    if error_code in _IN_DOUBT:
        return _IN_DOUBT[error_code], False
    return f"the Raft log gave no answer within {timeout:g} s", False


def unanswered(reason: str) -> str:
    """A read changes nothing, so whatever happened to it, the caller may retry."""
    return f"{reason}; the read was not answered, retry it"
