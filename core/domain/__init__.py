"""The domain: the portals' business rules as one pure, deterministic state machine."""

from core.domain.commands import Command, Query
from core.domain.digest import digest
from core.domain.effects import TABLES, Effect
from core.domain.errors import Code, InvalidInput
from core.domain.machine import decide, execute, query
from core.domain.outcome import Certainty, Outcome, Reply
from core.domain.state import State

__all__ = [
    "TABLES",
    "Certainty",
    "Code",
    "Command",
    "Effect",
    "InvalidInput",
    "Outcome",
    "Query",
    "Reply",
    "State",
    "decide",
    "digest",
    "execute",
    "query",
]
