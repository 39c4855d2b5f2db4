"""The scenarios' options as settings, and where each Locust process writes its history."""

from argparse import Namespace
from pathlib import Path

import pytest

from loadtests.options import OptionsError, settings
from loadtests.recording import history_file, run_files, save
from tests.loadtests.support import call


def options(**values: object) -> Namespace:
    defaults = {"servers": "", "admin_servers": "", "order_servers": "", "history": ""}
    return Namespace(**{**defaults, "strategy": "memory", "scenario_seed": 7, **values})


def test_servers_host_both_portals_unless_told_apart() -> None:
    both = settings(options(servers="127.0.0.1:1, 127.0.0.1:2"), None)
    assert both.admin_servers == both.order_servers == ("127.0.0.1:1", "127.0.0.1:2")
    apart = settings(options(servers="h:1", order_servers="h:2,h:3"), None)
    assert (apart.admin_servers, apart.order_servers) == (("h:1",), ("h:2", "h:3"))
    assert apart.prefix == "r7"


def test_locusts_host_is_the_last_resort() -> None:
    assert settings(options(), "grpc://127.0.0.1:50051").admin_servers == ("127.0.0.1:50051",)
    assert settings(options(servers="h:1"), "other:2").admin_servers == ("h:1",)


def test_no_servers_or_a_bad_address_is_refused_with_what_to_do() -> None:
    with pytest.raises(OptionsError, match=r"no servers to load: pass --servers HOST:PORT"):
        settings(options(), None)
    with pytest.raises(OptionsError, match=r"--admin-servers: address 'h' must be HOST:PORT"):
        settings(options(servers="h:1", admin_servers="h"), None)
    with pytest.raises(OptionsError, match=r"--servers: port 'x' is not a number"):
        settings(options(servers="h:x"), None)


def test_each_process_writes_its_own_file_and_a_run_is_all_of_them(tmp_path: Path) -> None:
    base = str(tmp_path / "run.gz")
    assert history_file(base, None) == tmp_path / "run.gz"
    assert history_file(base, 3) == tmp_path / "run.gz.worker-3"
    operations = [call("CreateClient", "c1", 1.0, 2.0, {"name": "A"})]
    for index in (None, 0, 1):
        save(history_file(base, index), operations)
    (tmp_path / "run.gz.other").write_text("not a history")
    assert run_files(base) == [history_file(base, i) for i in (None, 0, 1)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "run.gz",
        "run.gz.other",
        "run.gz.worker-0",
        "run.gz.worker-1",
    ]  # no temporary file left behind


def test_a_run_of_workers_only_has_no_master_file(tmp_path: Path) -> None:
    base = str(tmp_path / "run.gz")
    save(history_file(base, 0), [])
    assert run_files(base) == [tmp_path / "run.gz.worker-0"]
