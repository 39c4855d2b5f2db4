"""`testbed compare --faults` on mqtt-broadcast: the broker restarted and paused mid-run."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from core.cli.main import main
from plugins.mqtt_broadcast import broker as brokers


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if brokers.find_mosquitto() is None:
        pytest.skip(f"runs a real Mosquitto: {brokers.INSTALL_MOSQUITTO}")
    out = tmp_path_factory.mktemp("faults") / "out"
    code = main([
        "compare", "--strategies", "mqtt-broadcast", "--faults", "restart-broker,pause-broker",
        "--fault-for", "1", "--users", "4", "--duration", "6s", "--out", str(out),
    ])  # fmt: skip
    assert code == 0
    return out


@pytest.fixture(scope="module")
def results(out: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / "results.json").read_text())
    return document


def test_the_broker_is_restarted_then_paused_in_place(results: dict[str, Any]) -> None:
    struck = [(f["action"], f["target"], f["node"]) for f in results["faults"]]
    assert struck == [("restart", "broker", "broker"), ("pause", "broker", "broker")]
    restart, pause = results["faults"]
    assert "restarted in place" in restart["note"]
    assert pause["end_s"] >= pause["start_s"] + 1.0


def test_what_the_broker_faults_cost_is_measured_as_it_is(results: dict[str, Any]) -> None:
    mqtt = results["strategies"]["mqtt-broadcast"]
    assert mqtt["unavailability_s"]["max"] is not None
    assert isinstance(mqtt["lost_acknowledged_writes"], int)
    assert set(mqtt["phases"]) == {"before", "during", "after"}
    assert mqtt["phases"]["during"]["operations"] > 0
    assert sum(mqtt["errors_by_kind"].values()) == mqtt["errors"]
    assert "converged" in mqtt


def test_the_broker_that_ran_is_recorded_and_shown(out: Path, results: dict[str, Any]) -> None:
    mqtt = results["strategies"]["mqtt-broadcast"]
    version = brokers.version("mosquitto")
    assert version is not None and re.fullmatch(r"\d+(\.\d+)+", version)
    assert mqtt["broker"] == {"kind": "mosquitto", "version": version}
    (node,) = [n for n in mqtt["nodes"] if n["kind"] == "broker"]
    assert (node["name"], node["software"]) == ("broker", mqtt["broker"])
    assert [n["name"] for n in mqtt["nodes"]] == ["broker", *mqtt["servers"]]
    assert all(re.fullmatch(r"127\.0\.0\.\d+:\d+", n["address"]) for n in mqtt["nodes"])
    page = (out / "report.html").read_text()
    assert f"broker: mosquitto {version} on broker ({node['address']});" in page
    restart, pause = results["faults"]  # the notes name the node as the report does
    assert restart["note"].startswith(f"broker ({node['address']}) restarted in place")
    assert pause["note"].startswith(f"broker ({node['address']}) paused, then resumed")
    assert mqtt["anomalies"]["lost_writes"] == mqtt["anomalies"]["lost_stock_units"]
