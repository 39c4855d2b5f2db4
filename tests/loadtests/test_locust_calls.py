"""Requests and replies turned into the history's args, outcome and result."""

import pytest

from loadtests.calls import (
    NO_REPLY,
    RPCS,
    answered,
    arguments,
    outcome_trailer,
    refused,
    request,
    unanswered,
)
from proto import api_pb2 as pb


def test_every_rpc_of_both_portals_is_known_with_its_path() -> None:
    assert len(RPCS) == 13
    assert RPCS["CreateClient"].path == "/AdminPortal/CreateClient"
    assert RPCS["RetrieveClientOrders"].portal == "order"
    assert [name for name, rpc in RPCS.items() if rpc.streaming] == ["RetrieveClientOrders"]


def test_a_request_sends_data_as_json_and_records_it_parsed() -> None:
    data = {"products": [{"PID": "p1", "quantity": 2}]}
    message = request(RPCS["CreateOrder"], OID="o1", CID="c1", data=data)
    assert isinstance(message, pb.Order)
    assert arguments(message) == {"OID": "o1", "CID": "c1", "data": data}
    assert arguments(request(RPCS["DeleteOrder"], ID="o1")) == {"ID": "o1"}


def test_data_that_is_not_json_is_recorded_as_sent() -> None:
    message = request(RPCS["CreateClient"], CID="c1", data="{not json")
    assert arguments(message) == {"CID": "c1", "data": "{not json"}


@pytest.mark.parametrize(
    ("error", "description", "trailer", "outcome"),
    [
        (0, "", "done", "ok"),
        (409, "not enough stock of product 'p1'", "refused", "fail"),
        (503, "no leader; nothing changed", "none", "fail"),
        (503, "timed out; the outcome is unknown", "unknown", "unknown"),
        (500, "internal error", "unknown", "unknown"),
        # A server that sends no trailer: the code alone, never the description's words.
        (503, "no leader; nothing changed", None, "unknown"),
        (409, "the outcome is unknown", None, "fail"),
    ],
)
def test_a_write_reply_gives_its_outcome_and_keeps_its_trailer(
    error: int, description: str, trailer: str | None, outcome: str
) -> None:
    assert answered(pb.Reply(error=error, description=description), trailer) == (
        outcome,
        {"error": error, "description": description, "outcome": trailer},
    )


@pytest.mark.parametrize(
    ("metadata", "trailer"),
    [
        ((("testbed-outcome", "none"),), "none"),
        ((("other", "x"), ("testbed-outcome", "unknown")), "unknown"),
        ((), None),
        (None, None),
        ((("testbed-outcome", "done"), ("testbed-outcome", "none")), None),  # which one?
    ],
)
def test_the_outcome_trailer_is_read_from_the_metadata(
    metadata: tuple[tuple[str, str], ...] | None, trailer: str | None
) -> None:
    assert outcome_trailer(metadata) == trailer


def test_a_read_reply_says_whether_it_found_the_record() -> None:
    found = pb.Client(CID="c1", data='{"name": "Zoë"}')
    assert answered(found) == ("ok", {"found": True, "data": {"name": "Zoë"}})
    assert answered(pb.Product(PID="0", data="")) == ("ok", {"found": False, "data": None})
    assert answered(pb.Order(OID="0", CID="0", data="")) == ("ok", {"found": False, "data": None})


def test_a_stream_of_orders_is_a_list() -> None:
    orders = [pb.Order(OID=f"o{n}", CID="c1", data=f'{{"OID": "o{n}"}}') for n in (1, 2)]
    assert answered(orders) == ("ok", {"found": True, "data": [{"OID": "o1"}, {"OID": "o2"}]})
    assert answered([]) == ("ok", {"found": True, "data": []})


def test_no_reply_leaves_a_write_unknown_and_a_read_failed() -> None:
    deadline = "DEADLINE_EXCEEDED: Deadline Exceeded"
    assert unanswered(RPCS["CreateOrder"], deadline, "DEADLINE_EXCEEDED") == (
        "unknown",
        {"error": NO_REPLY, "description": deadline, "status": "DEADLINE_EXCEEDED"},
    )
    assert unanswered(RPCS["RetrieveClientOrders"], "UNAVAILABLE: no leader", "UNAVAILABLE") == (
        "fail",
        {
            "found": False,
            "data": None,
            "description": "UNAVAILABLE: no leader",
            "status": "UNAVAILABLE",
        },
    )
    assert unanswered(RPCS["DeleteOrder"], "stopped in flight")[1]["status"] is None


def test_only_4xx_replies_are_refusals() -> None:
    assert refused({"error": 409, "description": ""})
    assert refused({"error": 400, "description": ""})
    assert not refused({"error": 503, "description": ""})
    assert not refused({"error": NO_REPLY, "description": ""})
    assert not refused({"found": False, "data": None})
