"""A bounded fuzz of every RPC through real servers (tests/support/hostile.py's requests).

Each example is one hostile call, a valid message with hostile fields or a raw body, on
either path, to any server. Whatever it is: never a 500, never INTERNAL or UNKNOWN, a
refusal says why and leaves the cluster's state digest as it was. Afterwards every
replica answers its status and digest, the replicas agree, the records read back, and a
restarted replica (on mqtt-broadcast a late joiner, which copies a peer's state) joins
with the same state. Derandomized and a fixed number of examples: the same calls on
every run and every strategy.
"""

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.launcher import Cluster
from core.portals.control import fetch_status
from proto import api_pb2 as pb
from tests.contract.support import (
    EXPECTED_CODES,
    accepted,
    client_json,
    order_json,
    product_json,
    state_digest,
)
from tests.support.api import TIMEOUT_S, Api
from tests.support.hostile import Drawn, Outcome, call, send

pytestmark = pytest.mark.contract

EXAMPLES = 200
ALLOWED_STATUSES = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def seed_records(api: Api, pool: list[str]) -> None:
    """Records under the pool's IDs, so hostile writes meet held stock and taken IDs."""
    cid, pid, other, oid = pool
    accepted(api, api.CreateClient(pb.Client(CID=cid, data=client_json())))
    accepted(api, api.CreateProduct(pb.Product(PID=pid, data=product_json(quantity=50))))
    accepted(api, api.CreateProduct(pb.Product(PID=other, data=product_json(quantity=2**62))))
    order = order_json((pid, 5), (other, 2**61))
    accepted(api, api.CreateOrder(pb.Order(OID=oid, CID=cid, data=order)))


def check(outcome: Outcome, rpc: str) -> None:
    assert outcome.status in ALLOWED_STATUSES, (rpc, outcome.status, outcome.details)
    if outcome.error is not None:
        assert outcome.error in EXPECTED_CODES, (rpc, outcome.error, outcome.details)
        assert outcome.error == 0 or outcome.details.strip(), (rpc, outcome.error)
    for reply in outcome.replies:  # what a read returns is a record or "not found"
        if not isinstance(reply, pb.Reply) and reply.data:
            json.loads(reply.data)


def test_hostile_requests_never_break_the_service(
    api: Api, cluster: Cluster, ids: Iterator[str]
) -> None:
    prefix = next(ids)
    pool = [f"{prefix}.{n}" for n in range(1, 5)]
    seed_records(api, pool)
    addresses = cluster.addresses()
    seen: dict[str, int] = {}
    digest = [state_digest(api)]  # the state before the next call, settled

    @FUZZ
    @given(st.data())
    def one_call(data: st.DataObject) -> None:
        chooser = Drawn(data.draw)
        hostile = call(chooser, pool)
        address = chooser.choice(addresses)
        outcome = send(api.channel(address), hostile, TIMEOUT_S)
        seen[outcome.label] = seen.get(outcome.label, 0) + 1
        check(outcome, hostile.rpc)
        before, digest[0] = digest[0], state_digest(api)  # kept right for the next one
        if outcome.refused:
            assert digest[0] == before, f"{hostile.rpc} refused ({outcome.label}) changed state"

    one_call()
    assert seen.get("0", 0) and seen.get("400", 0) and seen.get("INVALID_ARGUMENT", 0), seen
    every_replica_serves_and_agrees(api, cluster, pool)


def every_replica_serves_and_agrees(api: Api, cluster: Cluster, pool: list[str]) -> None:
    statuses: dict[str, Any] = {a: fetch_status(api.channel(a)) for a in cluster.addresses()}
    assert all(len(status["digest"]) == 64 for status in statuses.values())
    expected = state_digest(api)
    for address in cluster.addresses():
        admin, orders = api.stub("admin", address), api.stub("order", address)
        assert admin.RetrieveClient(pb.ID(ID=pool[0]), timeout=TIMEOUT_S).CID == pool[0]
        for found in orders.RetrieveClientOrders(pb.ID(ID=pool[0]), timeout=TIMEOUT_S):
            json.loads(found.data)
    if len(cluster.servers) > 1:  # a restarted replica joins with the same state
        rejoining = cluster.servers[-1]
        cluster.restart(rejoining.name)
        api.settle(timeout=30)
        assert api.digests()[rejoining.address] == expected
