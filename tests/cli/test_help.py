"""Every `testbed` subcommand's `--help`: a description, and the defaults it runs with."""

import argparse
from collections.abc import Iterator

import pytest

from core.cli.main import parser


def subcommands(
    command: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from subcommands(sub, (*path, name))


COMMANDS = dict(subcommands(parser()))


def test_the_walk_finds_every_command() -> None:
    names = {path[0] for path in COMMANDS}
    assert {"serve", "admin", "order", "cluster", "demo", "strategies", "status"} <= names
    assert "compare" in names  # a plugin's command, built by the same parser class
    assert ("admin", "create-client") in COMMANDS
    assert ("cluster", "up") in COMMANDS


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_help_describes_the_command_and_shows_each_default(path: tuple[str, ...]) -> None:
    command = COMMANDS[path]
    assert command.description, f"testbed {' '.join(path)} --help has no description"
    text = command.format_help()
    for action in command._actions:
        if action.option_strings and action.default not in (None, False, [], argparse.SUPPRESS):
            assert f"default: {action.default}" in text or "default" in (action.help or ""), (
                action.option_strings
            )
        if action.option_strings and action.help is None:
            pytest.fail(f"{action.option_strings} of testbed {' '.join(path)} has no help")
