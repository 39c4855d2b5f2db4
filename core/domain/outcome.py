"""What executing a command gives back: a reply for the caller and effects for the state."""

from dataclasses import dataclass

from core.domain.effects import Effect
from core.domain.errors import Code


@dataclass(frozen=True, slots=True)
class Reply:
    code: Code
    description: str = ""

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
