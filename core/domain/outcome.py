"""What executing a command gives back: a reply for the caller and effects for the state."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from core.domain.effects import Effect
from core.domain.errors import Code


class Certainty(StrEnum):
    """What a write's reply proves about its effect: SPEC.md's `testbed-outcome` trailer."""

    DONE = "done"  # it took effect (error 0)
    REFUSED = "refused"  # the rules refused it (4xx): nothing changed
    NONE = "none"  # it could not be committed (503): nothing changed, safe to retry
    UNKNOWN = "unknown"  # it may have taken effect somewhere (503, 500): read before retrying


# What each code may prove. A 503 comes in two kinds, so whoever builds one says which.
_POSSIBLE: Final = {
    Code.OK: (Certainty.DONE,),
    Code.INVALID: (Certainty.REFUSED,),
    Code.FORBIDDEN: (Certainty.REFUSED,),
    Code.NOT_FOUND: (Certainty.REFUSED,),
    Code.CONFLICT: (Certainty.REFUSED,),
    Code.INTERNAL: (Certainty.UNKNOWN,),
    Code.UNAVAILABLE: (Certainty.NONE, Certainty.UNKNOWN),
}


@dataclass(frozen=True, slots=True, init=False)
class Reply:
    """The caller's answer, and what it proves about the write (a typed field, not prose)."""

    code: Code
    description: str
    certainty: Certainty  # given for a 503; the only one possible for any other code

    def __init__(
        self, code: Code, description: str = "", certainty: Certainty | None = None
    ) -> None:
        possible = _POSSIBLE[code]
        if certainty is None and len(possible) == 1:
            certainty = possible[0]
        if certainty not in possible:
            given = "no certainty" if certainty is None else repr(certainty.value)
            expected = " or ".join(repr(c.value) for c in possible)
            raise ValueError(f"a {code.value} reply proves {expected}, but was given {given}")
        # Frozen: fields are set the way dataclasses' own __init__ sets them.
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "certainty", certainty)

    @property
    def ok(self) -> bool:
        return self.code == Code.OK


@dataclass(frozen=True, slots=True)
class Outcome:
    reply: Reply
    effects: tuple[Effect, ...] = ()


OK = Reply(Code.OK)


def refuse(code: Code, description: str) -> Outcome:
    return Outcome(Reply(code, description))
