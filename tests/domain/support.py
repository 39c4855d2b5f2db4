"""Helpers shared by the domain tests: run commands and check replies."""

from typing import Any

from core.domain import Code, Command, Outcome, Reply, State, digest, execute, query
from core.domain import commands as c


def assert_sentence(text: str) -> None:
    """A description a person can act on: words, not a code or an empty string."""
    assert text == text.strip(), repr(text)
    assert sum(any(char.isalpha() for char in word) for word in text.split()) >= 3, repr(text)


def accept(state: State, command: Command) -> Outcome:
    outcome = execute(command, state)
    assert outcome.reply.code == Code.OK, outcome.reply
    assert outcome.reply.description == ""
    return outcome


def refuse(state: State, command: Command, code: Code, *mentions: str) -> Reply:
    """Execute a command that must be refused with `code`, changing nothing."""
    before = digest(state.snapshot())
    outcome = execute(command, state)
    assert outcome.reply.code == code, outcome.reply
    assert not outcome.reply.ok
    assert outcome.effects == ()
    assert digest(state.snapshot()) == before
    assert_sentence(outcome.reply.description)
    for mention in mentions:
        assert mention in outcome.reply.description, (mention, outcome.reply.description)
    return outcome.reply


def stock(state: State, pid: str) -> Any:
    product = query(c.GetProduct(pid), state)
    assert product is not None, pid
    return product["quantity"]


def order_view(state: State, oid: str) -> dict[str, Any]:
    view = query(c.GetOrder(oid), state)
    assert view is not None, oid
    assert isinstance(view, dict)
    return view


def order_lines(state: State, oid: str) -> dict[str, int]:
    return {line["PID"]: line["quantity"] for line in order_view(state, oid)["products"]}
