"""The interactive clients through their stdin, as the course's users type at them."""

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from core.config import ClusterConfig, NodeConfig
from core.launcher import Cluster
from tests.cli.support import cli


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = ClusterConfig(nodes=(NodeConfig("s1", port=0),))
    with Cluster(config, workdir=tmp_path_factory.mktemp("clients")) as cluster:
        yield cluster.addresses()[0]


def test_product_fields_are_checked_as_typed_and_numbers_sent_as_numbers(address: str) -> None:
    keys = "5\n\nm-pen\n\ncaneta\n2,50\n.5\n2.50\n-1\n3.0\n8\n6\nm-pen\n0\n"
    result = cli("admin", address, stdin=keys)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "the PID is empty" in out
    assert "the name is empty" in out
    assert out.count("the price must be a number >= 0") == 2  # 2,50 and .5
    assert out.count("the quantity must be an integer >= 0") == 2  # -1 and 3.0
    shown = cli("admin", address, "retrieve-product", "m-pen")
    assert json.loads(shown.stdout) == {"name": "caneta", "price": 2.5, "quantity": 8}


def test_order_lines_are_checked_as_typed(address: str) -> None:
    cli("admin", address, "create-client", "m-buyer", '{"name": "Ana"}')
    cli("admin", address, "create-product", "m-ink", '{"name": "ink", "price": 3, "quantity": 9}')
    keys = "m-buyer\n1\nm-o1\n0\nm-ink\nthree\n2\n\n2\nm-o1\n0\n"
    result = cli("order", address, stdin=keys)
    assert result.returncode == 0, result.stderr
    assert 'the PID "0" is reserved' in result.stdout
    assert "the quantity must be an integer >= 0" in result.stdout
    line = next(line for line in result.stdout.splitlines() if '"OID": "m-o1"' in line)
    order = json.loads(line[line.index("{") :])
    assert [(p["PID"], p["quantity"]) for p in order["products"]] == [("m-ink", 2)]


def test_the_order_client_asks_again_for_a_cid_that_does_not_exist(address: str) -> None:
    cli("admin", address, "create-client", "m-known", '{"name": "Bia"}')
    result = cli("order", address, stdin="m-ghost\nm-known\n0\n")
    assert result.returncode == 0, result.stderr
    assert "no client with CID 'm-ghost'" in result.stdout
    assert 'client m-known: {"name": "Bia"}' in result.stdout


def test_an_unknown_cid_given_with_the_flag_ends_the_order_menu(address: str) -> None:
    result = cli("order", address, "--cid", "m-nobody", stdin="0\n")
    assert result.returncode == 1
    assert "no client with CID 'm-nobody'" in result.stdout
    assert "OrderPortal" not in result.stdout  # the menu never opened


def test_an_empty_order_list_says_none_in_one_shot_mode(address: str) -> None:
    cli("admin", address, "create-client", "m-idle", '{"name": "Caio"}')
    result = cli("order", address, "--cid", "m-idle", "retrieve-client-orders")
    assert (result.returncode, result.stdout) == (0, "(none)\n")


def _until(process: subprocess.Popen[str], text: str, timeout: float = 20.0) -> str:
    """What the process printed, read until `text` shows (a prompt ends with no new line)."""
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while text not in seen:
        assert time.monotonic() < deadline, f"never printed {text!r}: {seen!r}"
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096).decode()
            assert chunk, f"ended before printing {text!r}: {seen!r}"
            seen += chunk
    return seen


@pytest.mark.parametrize("portal", ["admin", "order"])
def test_ctrl_c_ends_with_a_new_line_and_a_non_zero_code(address: str, portal: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "core.cli.main", portal, address],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        prompt = "choose: " if portal == "admin" else "your client ID (CID): "
        _until(process, prompt)
        # A Ctrl-C that lands after the prompt is written but before the client reads
        # stdin waits for the next key: a loaded machine makes that window real, so press
        # it again, as a person would, until the client ends. Stdin stays open throughout:
        # closed, it would end the client as end of input does.
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=2)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130
    assert out == "\n"  # the rest was read before Ctrl-C
    assert "Traceback" not in err
