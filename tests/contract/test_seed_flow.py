"""The seed's own flow, driven through the one-shot client commands (`testbed admin|order`)."""

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from core.cli.main import main
from tests.contract.support import order_json, product_json
from tests.support.api import Api

pytestmark = pytest.mark.contract


class Cli:
    """`testbed admin|order ADDRESS ...` run in-process, over the servers round-robin.

    The commands do not settle; on an eventual strategy each one waits for the
    replicas first, so a command sees what the previous one did on another server.
    """

    def __init__(self, api: Api, capsys: pytest.CaptureFixture[str]) -> None:
        self.api = api
        self.capsys = capsys
        self.addresses = {
            portal: itertools.cycle(api.cluster.addresses(portal)) for portal in ("admin", "order")
        }

    def run(self, portal: str, *args: str) -> tuple[int, list[str]]:
        if self.api.eventual:
            self.api.settle()
        self.capsys.readouterr()
        code = main([portal, next(self.addresses[portal]), *args])
        return code, self.capsys.readouterr().out.splitlines()

    def admin(self, *args: str) -> list[str]:
        """An admin command that must succeed; its output lines."""
        code, out = self.run("admin", *args)
        assert code == 0, (args, out)
        return out

    def order(self, cid: str, *args: str) -> list[str]:
        code, out = self.run("order", "--cid", cid, *args)
        assert code == 0, (args, out)
        return out

    def shown(self, portal: str, *args: str) -> Any:
        """The record a retrieve command prints, as JSON."""
        out = self.order(*args) if portal == "order" else self.admin(*args)
        assert len(out) == 1, out
        return json.loads(out[0])

    def stock(self, pid: str) -> int:
        return int(self.shown("admin", "retrieve-product", pid)["quantity"])


@pytest.fixture
def cli(api: Api, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(api, capsys)


def test_client_crud(cli: Cli, ids: Iterator[str]) -> None:
    cid = next(ids)
    assert cli.admin("create-client", cid, '{"name": "Ana"}') == ["OK"]
    assert cli.shown("admin", "retrieve-client", cid) == {"name": "Ana"}
    assert cli.admin("update-client", cid, '{"name": "Ana Maria"}') == ["OK"]
    assert cli.shown("admin", "retrieve-client", cid) == {"name": "Ana Maria"}
    assert cli.admin("delete-client", cid) == ["OK"]
    assert cli.run("admin", "retrieve-client", cid) == (1, ["not found"])


def test_product_crud(cli: Cli, ids: Iterator[str]) -> None:
    pid = next(ids)
    assert cli.admin("create-product", pid, product_json("40", "2.50")) == ["OK"]
    assert cli.shown("admin", "retrieve-product", pid) == json.loads(product_json("40", "2.50"))
    assert cli.admin("update-product", pid, product_json("30", "3.00")) == ["OK"]
    assert cli.shown("admin", "retrieve-product", pid)["quantity"] == "30"
    assert cli.admin("delete-product", pid) == ["OK"]
    assert cli.run("admin", "retrieve-product", pid) == (1, ["not found"])


def test_refusals_print_the_code_and_exit_non_zero(cli: Cli, ids: Iterator[str]) -> None:
    code, out = cli.run("admin", "update-client", next(ids), '{"name": "Ana"}')
    assert code != 0
    assert len(out) == 1
    assert out[0].startswith("error 404: ")
    assert out[0].removeprefix("error 404: ").strip()


def test_the_seed_order_flow(cli: Cli, ids: Iterator[str]) -> None:
    cid, p1, p2, oid = next(ids), next(ids), next(ids), next(ids)
    cli.admin("create-client", cid, '{"name": "Paulo"}')
    cli.admin("create-product", p1, product_json(8))
    cli.admin("create-product", p2, product_json(9))

    assert cli.order(cid, "create-order", oid, order_json((p1, 3))) == ["OK"]
    assert cli.stock(p1) == 5
    for quantity, left in [(2, 6), (4, 4)]:
        assert cli.order(cid, "update-order", oid, order_json((p1, quantity))) == ["OK"]
        assert cli.stock(p1) == left

    cli.order(cid, "update-order", oid, order_json((p2, 5)))
    assert cli.stock(p2) == 4
    shown = cli.shown("order", cid, "retrieve-order", oid)
    assert [(line["PID"], line["quantity"]) for line in shown["products"]] == [(p1, 4), (p2, 5)]

    cli.order(cid, "update-order", oid, order_json((p1, 0)))
    assert cli.stock(p1) == 8
    shown = cli.shown("order", cid, "retrieve-order", oid)
    assert [(line["PID"], line["quantity"]) for line in shown["products"]] == [(p2, 5)]
    listed = cli.order(cid, "retrieve-client-orders")
    assert [json.loads(line) for line in listed] == [shown]

    assert cli.order(cid, "delete-order", oid) == ["OK"]
    assert cli.stock(p2) == 9
    assert cli.run("order", "--cid", cid, "retrieve-order", oid) == (1, ["not found"])
    assert cli.order(cid, "retrieve-client-orders") == ["(none)"]


def test_the_installed_command_exits_non_zero_on_an_error_reply(
    api: Api, ids: Iterator[str]
) -> None:
    address = api.cluster.addresses("admin")[0]
    command = [sys.executable, "-m", "core.cli.main", "admin", address, "create-client", next(ids)]
    data = '{"name": "Ana"}'
    first = subprocess.run([*command, data], capture_output=True, text=True, timeout=60)
    assert (first.returncode, first.stdout.strip()) == (0, "OK"), first.stderr
    again = subprocess.run([*command, data], capture_output=True, text=True, timeout=60)
    assert again.returncode != 0
    assert again.stdout.startswith("error 409: "), (again.stdout, again.stderr)
