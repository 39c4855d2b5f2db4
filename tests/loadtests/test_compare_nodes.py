"""Nodes are named the same way everywhere in the report, name and address together;
results.json keeps them apart and records the broker that ran."""

import json
import re
from dataclasses import replace
from pathlib import Path

from loadtests.compare import StrategyRun, write_outputs
from loadtests.compare.cpu import CpuUse
from loadtests.compare.history_plot import history_figures
from loadtests.compare.model import FaultWindow, LeaderChange
from loadtests.compare.nodes import NodeInfo, label
from loadtests.compare.plots import timeline
from loadtests.compare.progress import summary_table
from loadtests.compare.readback import ReadBack
from loadtests.history import Replicas, ReplicaState
from tests.loadtests.support import Shop, call
from tests.loadtests.synthetic import comparison, order, setup_calls, shop_history, strategy_run

MOSQUITTO = {"kind": "mosquitto", "version": "2.0.11"}
NODES = (
    NodeInfo("broker", "broker", "127.0.0.1:1883", MOSQUITTO),
    NodeInfo("s1", "server", "127.0.0.1:50051"),
    NodeInfo("s2", "server", "127.0.0.1:50052"),
)


def _run() -> StrategyRun:
    """s2 is struck by a fault, leads, uses CPU, answers the read-back and diverges."""
    shop = Shop()
    calls = [*setup_calls(), *(order(f"o{n}", 1) for n in range(4))]
    history = shop_history(shop, calls, [2.0] * len(calls), start=10.0, server="127.0.0.1:50052")
    stale = [  # a read on s2 misses a write acknowledged on s1 before it began
        call("CreateClient", "c9", 20, 20.001, {"name": "Ana"}),
        call("UpdateClient", "c9", 20.002, 20.003, {"name": "Bia"}),
        call("RetrieveClient", "c9", 20.004, 20.005, {"name": "Ana"}),
    ]
    servers = ("127.0.0.1:50051", "127.0.0.1:50051", "127.0.0.1:50052")
    history += [replace(o, server=server) for o, server in zip(stale, servers, strict=True)]
    stock = {"p1": 996}  # as the shop left it: only the digests differ
    replicas = Replicas({"s1": ReplicaState("a" * 64, stock), "s2": ReplicaState("b" * 64, stock)})
    run = strategy_run("mqtt-broadcast", [(1, history)], replicas, consistency="eventual")
    (load,) = run.loads
    struck = replace(
        load,
        faults=(FaultWindow("kill", "server", "s2", 0.001, 0.005, "killed, then restarted"),),
        leader_changes=(LeaderChange(0.002, "replicas", "s2"),),
        cpu=CpuUse((0.3,), {"broker": 0.1, "s1": 0.2, "s2": 0.25}),
    )
    readback = ReadBack(checked=5, servers=("s1", "s2"), lost=())
    return replace(run, loads=(struck,), nodes=NODES, readback=readback)


def test_a_node_is_its_name_and_address_together_and_unknown_ones_stay_as_given() -> None:
    assert label(NODES, "s2") == label(NODES, "127.0.0.1:50052") == "s2 (127.0.0.1:50052)"
    assert label(NODES, "s9") == "s9"


def test_the_report_never_names_a_node_without_its_address(tmp_path: Path) -> None:
    page = write_outputs(comparison(tmp_path, _run())).report.read_text()
    text = re.sub(r'src="data:[^"]*"', "", page)  # base64 can spell anything
    for node in NODES:
        named = f"{node.name} ({node.address})"
        assert named in text, node.name
        # "broker:" heads the broker's line; any other bare name or address is a miss
        bare = re.findall(rf"\b{node.name}\b(?! \()(?!:)|(?<!\()\b{node.address}", text)
        assert bare == [], (node.name, bare)
    for_s2 = text.count("s2 (127.0.0.1:50052)")
    assert for_s2 >= 6  # server list, fault, CPU, read-back, digests, the stale read


def test_the_timeline_labels_the_struck_node_and_the_leader_with_their_addresses() -> None:
    figure = timeline(_run())
    texts = [t.get_text() for axes in figure.axes for t in axes.texts]
    assert " kill-server → s2 (127.0.0.1:50052)" in texts
    assert " leader s2 (127.0.0.1:50052)" in texts


def test_a_drawn_history_names_its_node_lanes_with_their_addresses() -> None:
    (figure,) = [f for name, f in history_figures(_run()).items() if "stale_reads" in name]
    lanes = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert lanes == ["node s1 (127.0.0.1:50051)", "node s2 (127.0.0.1:50052)"]


def test_results_keep_name_and_address_apart_and_record_the_broker(tmp_path: Path) -> None:
    outputs = write_outputs(comparison(tmp_path, _run()))
    entry = json.loads(outputs.results.read_text())["strategies"]["mqtt-broadcast"]
    assert entry["broker"] == MOSQUITTO
    assert entry["nodes"] == [
        {"name": "broker", "kind": "broker", "address": "127.0.0.1:1883", "software": MOSQUITTO},
        {"name": "s1", "kind": "server", "address": "127.0.0.1:50051", "software": None},
        {"name": "s2", "kind": "server", "address": "127.0.0.1:50052", "software": None},
    ]
    assert entry["by_users"][0]["nodes_cpu"] == {"broker": 0.1, "s1": 0.2, "s2": 0.25}
    assert "broker: mosquitto 2.0.11 on broker (127.0.0.1:1883);" in outputs.report.read_text()


def test_the_terminal_summary_names_the_broker_that_ran(tmp_path: Path) -> None:
    lines = summary_table(comparison(tmp_path, _run())).splitlines()
    assert "  broker: mosquitto 2.0.11 on broker (127.0.0.1:1883)" in lines


def test_without_a_broker_node_none_is_recorded(tmp_path: Path) -> None:
    run = replace(_run(), nodes=NODES[1:])
    outputs = write_outputs(comparison(tmp_path, run))
    assert json.loads(outputs.results.read_text())["strategies"]["mqtt-broadcast"]["broker"] is None
    assert "broker:" not in outputs.report.read_text()
    assert "broker:" not in summary_table(comparison(tmp_path, run))
