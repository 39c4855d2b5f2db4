"""How every `testbed` subcommand's `--help` reads: a description, and each default shown.

The root parser is a `Parser`; argparse builds every subcommand's parser (plugins'
ones too, such as `compare`) from the class of its parent, so all of them get this.
"""

import argparse
from typing import Any, NoReturn


class DefaultsShown(argparse.ArgumentDefaultsHelpFormatter):
    """Argparse's defaults formatter, without "(default: None)" and never said twice.

    An option whose default is worked out later (None here: the config's value, a free
    port) says what it is in words, in its own help text.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text or action.default in (None, False, [], argparse.SUPPRESS):
            return text
        return super()._get_help_string(action)


class _Described(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands whose `--help` opens with their one-line help unless they say more."""

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        kwargs.setdefault("description", kwargs.get("help"))
        return super().add_parser(name, **kwargs)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsShown)
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Described)

    def error(self, message: str) -> NoReturn:
        """One line, as every other mistake gets: argparse's usage block is `--help`'s job."""
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")
