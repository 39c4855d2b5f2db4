"""The menus of the seed's interactive clients, over the same actions as one-shot commands."""

import json
from collections.abc import Callable

import grpc

from core.cli.actions import Action
from core.cli.calls import CallFailed, invoke, render

Ask = Callable[[str], str]


def _client_data(ask: Ask) -> str:
    return json.dumps({"name": ask("name: ")})


def _product_data(ask: Ask) -> str:
    return json.dumps(
        {"name": ask("name: "), "price": ask("price: "), "quantity": ask("quantity: ")}
    )


def _order_data(ask: Ask) -> str:
    lines = []
    print("one line per product; an empty PID ends the list")
    while pid := ask("  PID: ").strip():
        lines.append({"PID": pid, "quantity": ask("  quantity: ").strip()})
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
            values.append(ask(f"{arg}: ").strip())
    return values


def run_menu(
    channel: grpc.Channel,
    service: str,
    actions: tuple[Action, ...],
    context: tuple[str, ...] = (),
    ask: Ask = input,
) -> int:
    """Loop over the menu until the user exits (0, end of input or Ctrl-C)."""
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
                print("\n".join(lines) or "(none)")
            except CallFailed as error:
                print(error)
    except (EOFError, KeyboardInterrupt):
        print()
        return 0
