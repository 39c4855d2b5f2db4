"""The wire around the RPCs: the course's method paths, health, reflection, size limits."""

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from core.launcher import Cluster
from proto import api_pb2 as pb
from tests.contract.support import (
    accepted,
    client,
    client_json,
    make_client,
    make_order,
    make_product,
    order_json,
    product_json,
    record,
    refused,
)
from tests.support.api import TIMEOUT_S, Api

pytestmark = pytest.mark.contract

SERVICES = ("AdminPortal", "OrderPortal")


def full_addresses(cluster: Cluster) -> list[str]:
    """The servers that host both portals (every server of the contract cluster)."""
    order = set(cluster.addresses("order"))
    addresses = [address for address in cluster.addresses("admin") if address in order]
    assert addresses, "the contract suite needs servers hosting both portals"
    return addresses


class CoursePaths:
    """Calls on `/project.<Service>/<Method>`, as the course's generated stubs make them."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.channel = channel
        self.called: set[str] = set()

    def __call__(self, service: str, method: str, request: Message) -> Any:
        descriptor = pb.DESCRIPTOR.services_by_name[service].methods_by_name[method]
        response = getattr(pb, descriptor.output_type.name)
        path = f"/project.{service}/{method}"
        codec: dict[str, Any] = {
            "request_serializer": type(request).SerializeToString,
            "response_deserializer": response.FromString,
        }
        self.called.add(method)
        if descriptor.server_streaming:
            return list(self.channel.unary_stream(path, **codec)(request, timeout=TIMEOUT_S))
        return self.channel.unary_unary(path, **codec)(request, timeout=TIMEOUT_S)


def test_every_rpc_answers_on_the_course_paths(
    api: Api, cluster: Cluster, ids: Iterator[str]
) -> None:
    for address in full_addresses(cluster):
        call = CoursePaths(api.channel(address))
        cid, pid, oid = next(ids), next(ids), next(ids)
        writes: list[tuple[str, str, Message]] = [
            ("AdminPortal", "CreateClient", pb.Client(CID=cid, data=client_json())),
            ("AdminPortal", "UpdateClient", pb.Client(CID=cid, data=client_json("Ana"))),
            ("AdminPortal", "CreateProduct", pb.Product(PID=pid, data=product_json(8))),
            ("AdminPortal", "UpdateProduct", pb.Product(PID=pid, data=product_json(9))),
            ("OrderPortal", "CreateOrder", pb.Order(OID=oid, CID=cid, data=order_json((pid, 3)))),
            ("OrderPortal", "UpdateOrder", pb.Order(OID=oid, CID=cid, data=order_json((pid, 2)))),
        ]
        for service, method, request in writes:
            assert call(service, method, request).error == 0, method
        assert record(call("AdminPortal", "RetrieveClient", pb.ID(ID=cid))) == {"name": "Ana"}
        assert record(call("AdminPortal", "RetrieveProduct", pb.ID(ID=pid)))["quantity"] == 7
        found = call("OrderPortal", "RetrieveOrder", pb.ID(ID=oid))
        assert (found.OID, found.CID, record(found)["products"][0]["quantity"]) == (oid, cid, 2)
        assert call("OrderPortal", "RetrieveClientOrders", pb.ID(ID=cid)) == [found]
        assert call("OrderPortal", "DeleteOrder", pb.ID(ID=oid)).error == 0
        assert call("AdminPortal", "DeleteProduct", pb.ID(ID=pid)).error == 0
        assert call("AdminPortal", "DeleteClient", pb.ID(ID=cid)).error == 0
        every_rpc = {m.name for s in SERVICES for m in pb.DESCRIPTOR.services_by_name[s].methods}
        assert call.called == every_rpc


def test_the_course_path_refuses_like_the_plain_one(
    api: Api, cluster: Cluster, ids: Iterator[str]
) -> None:
    call = CoursePaths(api.channel(full_addresses(cluster)[0]))
    refused(call("AdminPortal", "UpdateClient", pb.Client(CID=next(ids), data=client_json())), 404)
    missing = call("OrderPortal", "RetrieveOrder", pb.ID(ID=next(ids)))
    assert missing == pb.Order(OID="0", CID="0", data="")


def test_health_checking_reports_serving_on_every_server(cluster: Cluster, api: Api) -> None:
    for address in cluster.addresses():
        health = health_pb2_grpc.HealthStub(api.channel(address))
        for service in ("", *SERVICES):
            answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT_S)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING, (address, service)


def test_reflection_lists_both_portals_with_their_methods(cluster: Cluster, api: Api) -> None:
    for address in full_addresses(cluster):
        database = ProtoReflectionDescriptorDatabase(api.channel(address))
        assert set(SERVICES) <= set(database.get_services()), address
        pool = DescriptorPool(database)
        for service in SERVICES:
            reflected = pool.FindServiceByName(service)
            declared = pb.DESCRIPTOR.services_by_name[service]
            assert [m.name for m in reflected.methods] == [m.name for m in declared.methods]


def test_a_request_over_the_size_limit_is_resource_exhausted(
    api: Api, cluster: Cluster, ids: Iterator[str]
) -> None:
    limit = cluster.config.grpc.max_message_bytes
    for address in cluster.addresses("admin"):
        cid = next(ids)
        oversized = pb.Client(CID=cid, data=client_json("x" * limit))
        with pytest.raises(grpc.RpcError) as failure:
            api.stub("admin", address).CreateClient(oversized, timeout=TIMEOUT_S)
        assert failure.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert client(api, cid) == pb.Client(CID="0", data="")
        accepted(
            api, api.stub("admin", address).CreateClient(pb.Client(CID=cid, data=client_json()))
        )


def test_business_errors_keep_grpc_status_ok(api: Api, ids: Iterator[str]) -> None:
    cid, pid = make_client(api, ids), make_product(api, ids)
    oid = make_order(api, ids, cid, (pid, 1))
    admin, orders = api.stub("admin"), api.stub("order")
    cases: list[tuple[Any, Message, int]] = [
        (admin.CreateClient, pb.Client(CID=next(ids), data="not json"), 400),
        (admin.UpdateProduct, pb.Product(PID=next(ids), data=product_json()), 404),
        (admin.CreateClient, pb.Client(CID=cid, data=client_json()), 409),
        (orders.UpdateOrder, pb.Order(OID=oid, CID=next(ids), data=order_json()), 403),
        (orders.CreateOrder, pb.Order(OID=next(ids), CID=cid, data=order_json((pid, 99))), 409),
    ]
    for rpc, request, code in cases:
        reply, call = rpc.with_call(request, timeout=TIMEOUT_S)
        assert call.code() == grpc.StatusCode.OK
        refused(reply, code)
    missing, call = admin.RetrieveClient.with_call(pb.ID(ID=next(ids)), timeout=TIMEOUT_S)
    assert (missing.CID, call.code()) == ("0", grpc.StatusCode.OK)
