"""The history file round-trips exactly; the recorder loses nothing under threads."""

import gzip
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from loadtests.history import (
    TABLES,
    HistoryError,
    Operation,
    Recorder,
    business_refusal,
    outcome_of,
    read_history,
    write_history,
)
from tests.loadtests.support import call


def test_a_history_reads_back_identical_with_raw_float_times(tmp_path: Path) -> None:
    start = time.monotonic()
    operations = [
        call("CreateClient", "c1", start, start + 1e-7, {"name": "Zoë", "tags": [1, 2.5]}),
        call("RetrieveClient", "c1", 0.1 + 0.2, 1 + 1 / 3, {"name": "Zoë"}),
        call("RetrieveClient", "c2", 2.0, 2.000000001, None),
        call("UpdateClient", "c1", 3, 4, "{not json", error=400),
        call("CreateOrder", "o1", 5, 6, [{"id": "p1", "quantity": "2"}], outcome="unknown"),
    ]
    write_history(tmp_path / "h.jsonl.gz", operations)
    assert read_history(tmp_path / "h.jsonl.gz") == operations


def test_the_file_is_gzip_json_lines_with_a_header(tmp_path: Path) -> None:
    write_history(tmp_path / "h.gz", [call("DeleteClient", "c1", 1.5, 2.25)])
    lines = gzip.decompress((tmp_path / "h.gz").read_bytes()).decode().splitlines()
    assert lines == [
        '{"format": "testbed-history", "version": 2}',
        '["p1","s1","DeleteClient",{"ID":"c1"},1.5,2.25,"ok",{"error":0,"description":""},null]',
    ]


def test_an_open_loop_call_keeps_its_due_time_and_its_latency_counts_from_it(
    tmp_path: Path,
) -> None:
    due = replace(call("DeleteClient", "c1", 1.5, 2.25), intended=1.25)
    write_history(tmp_path / "h.gz", [due])
    (read,) = read_history(tmp_path / "h.gz")
    assert read.intended == 1.25 and read.latency_s == 1.0
    assert call("DeleteClient", "c1", 1.5, 2.25).latency_s == 0.75  # closed: from invoke


def test_a_version_1_file_reads_as_calls_without_a_schedule(tmp_path: Path) -> None:
    text = (
        '{"format": "testbed-history", "version": 1}\n'
        '["p1","s1","DeleteClient",{"ID":"c1"},1.5,2.25,"ok",{"error":0,"description":""}]\n'
    )
    (tmp_path / "h.gz").write_bytes(gzip.compress(text.encode()))
    assert read_history(tmp_path / "h.gz") == [call("DeleteClient", "c1", 1.5, 2.25)]


def test_a_file_without_the_header_is_refused(tmp_path: Path) -> None:
    (tmp_path / "h.gz").write_bytes(gzip.compress(b'{"format": "other"}\n'))
    with pytest.raises(HistoryError, match="not a history file"):
        read_history(tmp_path / "h.gz")


def test_a_line_with_a_bad_outcome_names_the_line(tmp_path: Path) -> None:
    text = '{"format": "testbed-history", "version": 1}\n["p","s","X",{},1,2,"maybe",{}]\n'
    (tmp_path / "h.gz").write_bytes(gzip.compress(text.encode()))
    with pytest.raises(HistoryError, match="line 2 has the outcome 'maybe'"):
        read_history(tmp_path / "h.gz")


def test_the_recorder_keeps_every_operation_from_many_threads(tmp_path: Path) -> None:
    recorder = Recorder()

    def work(process: int) -> None:
        for n in range(1000):
            recorder.record(call("RetrieveClient", f"c{n}", n, n + 1, None, process=f"p{process}"))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(recorder) == 8000
    seen = {(o.process, o.key) for o in recorder.operations()}
    assert seen == {(f"p{t}", f"c{n}") for t in range(8) for n in range(1000)}
    recorder.write(tmp_path / "h.gz")
    assert read_history(tmp_path / "h.gz") == recorder.operations()


@pytest.mark.parametrize(
    ("error", "trailer", "outcome"),
    [
        (0, "done", "ok"),
        (400, "refused", "fail"),
        (409, "refused", "fail"),
        (503, "none", "fail"),
        (503, "unknown", "unknown"),
        (500, "unknown", "unknown"),
    ],
)
def test_a_write_is_classified_by_its_trailer(error: int, trailer: str, outcome: str) -> None:
    assert outcome_of(error, trailer) == outcome


def test_the_trailer_decides_over_the_code() -> None:
    # What the reply proves is the server's to say: a code is only the fallback.
    assert outcome_of(503, "none") == "fail"
    assert outcome_of(409, "unknown") == "unknown"


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (0, "ok"),
        (400, "fail"),
        (403, "fail"),
        (404, "fail"),
        (409, "fail"),
        (503, "unknown"),  # either kind: without the trailer, nothing says which
        (500, "unknown"),
    ],
)
@pytest.mark.parametrize("trailer", [None, "", "maybe"])
def test_without_a_trailer_a_write_is_classified_by_its_code(
    error: int, outcome: str, trailer: str | None
) -> None:
    assert outcome_of(error, trailer) == outcome


def test_only_4xx_codes_are_business_refusals() -> None:
    codes = (0, 399, 400, 404, 409, 499, 500, 503, -1)
    assert [code for code in codes if business_refusal(code)] == [400, 404, 409, 499]
    assert not business_refusal(None)
    assert not business_refusal("409")


@pytest.mark.parametrize("op", sorted(TABLES))
def test_every_rpc_names_its_record(op: str) -> None:
    operation = call(op, "k1", 0, 1, {"name": "x"})
    assert operation.key == "k1"
    assert operation.table == TABLES[op][0]
    assert operation.is_read == op.startswith("Retrieve")


def test_an_unknown_rpc_names_no_record() -> None:
    operation = Operation("p", "s", "Ping", {"ID": "x"}, 0, 1, "ok", {})
    assert (operation.key, operation.table, operation.is_read) == (None, None, False)
