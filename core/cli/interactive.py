"""The menus of the seed's interactive clients, over the same actions as one-shot commands.

Every field is checked as it is typed, by the service's own rules (`core.domain`), and
asked again with the reason when it breaks one; prices and quantities go out as JSON
numbers. Ctrl-C ends a menu with a new line and exit code 130; end of input with 0.
"""

import json
from collections.abc import Callable
from typing import Any, Final

import grpc

from core.cli.actions import Action
from core.cli.calls import CallFailed, invoke, render
from core.domain import InvalidInput
from core.domain.ids import check_id
from core.domain.numbers import as_json_number, parse_count, parse_price

Ask = Callable[[str], str]
Check = Callable[[str], Any]  # a typed field to the value to send; InvalidInput says why not

INTERRUPTED: Final = 130  # 128 + SIGINT, as shells report a program that Ctrl-C ended


def ask_checked(ask: Ask, prompt: str, check: Check) -> Any:
    """Ask until the answer passes `check`; its value."""
    while True:
        text = ask(prompt).strip()
        try:
            return check(text)
        except InvalidInput as error:
            print(f"  {error}; try again")


def identifier(kind: str) -> Check:
    return lambda text: check_id(kind, text)


def _name(text: str) -> str:
    if not text:
        raise InvalidInput("the name is empty; give one")
    return text


def _price(text: str) -> int | float:
    return as_json_number(parse_price(text, "the price"))


def _quantity(text: str) -> int:
    return parse_count(text, "the quantity")


def _client_data(ask: Ask) -> str:
    return json.dumps({"name": ask_checked(ask, "name: ", _name)})


def _product_data(ask: Ask) -> str:
    return json.dumps(
        {
            "name": ask_checked(ask, "name: ", _name),
            "price": ask_checked(ask, "price: ", _price),
            "quantity": ask_checked(ask, "quantity: ", _quantity),
        }
    )


def _pid_or_end(text: str) -> str:
    return check_id("PID", text) if text else ""


def _order_data(ask: Ask) -> str:
    lines = []
    print("one line per product; an empty PID ends the list")
    while pid := ask_checked(ask, "  PID: ", _pid_or_end):
        lines.append({"PID": pid, "quantity": ask_checked(ask, "  quantity: ", _quantity)})
    return json.dumps({"products": lines})


DATA_FORMS: dict[str, Callable[[Ask], str]] = {
    "client": _client_data,
    "product": _product_data,
    "order": _order_data,
}


def _arguments(action: Action, ask: Ask) -> list[str]:
    entity = action.name.rsplit("-", 1)[-1]
    values = []
    for arg in action.args:
        if arg == "DATA":
            values.append(DATA_FORMS[entity](ask))
        else:
            values.append(ask_checked(ask, f"{arg}: ", identifier(arg)))
    return values


def run_menu(
    channel: grpc.Channel,
    service: str,
    actions: tuple[Action, ...],
    context: tuple[str, ...] = (),
    ask: Ask = input,
) -> int:
    """Loop over the menu until the user exits (0, end of input) or presses Ctrl-C (130)."""
    try:
        while True:
            print(f"\n{service}")
            for number, action in enumerate(actions, start=1):
                print(f"  {number}) {action.help}")
            print("  0) exit")
            choice = ask("choose: ").strip()
            if choice == "0":
                return 0
            if not choice.isdigit() or not 1 <= int(choice) <= len(actions):
                print(f"choose a number from 0 to {len(actions)}")
                continue
            action = actions[int(choice) - 1]
            request = action.build(*context, *_arguments(action, ask))
            try:
                _, lines = render(invoke(channel, service, action, request))
                print("\n".join(lines))
            except CallFailed as error:
                print(error)
    except EOFError:
        print()
        return 0
    except KeyboardInterrupt:
        print()
        return INTERRUPTED
