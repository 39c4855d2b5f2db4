"""The committed stubs match proto/api.proto: regenerate and compare, failing on drift."""

import subprocess
import sys
from pathlib import Path

from google.protobuf import descriptor_pb2

from proto import api_pb2, api_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = (
    "python -m grpc_tools.protoc -I. --python_out=. --pyi_out=. --grpc_python_out=. proto/api.proto"
)


def _compiled_descriptor(tmp_path: Path) -> descriptor_pb2.FileDescriptorProto:
    out = tmp_path / "api.pb"
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "-I.", f"--descriptor_set_out={out}",
         "proto/api.proto"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file
    assert [f.name for f in files] == ["proto/api.proto"]
    for message in files[0].message_type:
        for field in message.field:
            field.ClearField("json_name")  # derived by protoc; generated code leaves it out
    return files[0]


def test_committed_descriptor_matches_the_proto_file(tmp_path: Path) -> None:
    committed = descriptor_pb2.FileDescriptorProto()
    api_pb2.DESCRIPTOR.CopyToProto(committed)
    assert committed == _compiled_descriptor(tmp_path), f"stubs are stale; run: {REGENERATE}"


def test_grpc_stubs_name_every_method_of_the_proto(tmp_path: Path) -> None:
    source = Path(api_pb2_grpc.__file__).read_text()
    for service in _compiled_descriptor(tmp_path).service:
        for method in service.method:
            assert f"'/{service.name}/{method.name}'" in source, f"run: {REGENERATE}"


def test_the_proto_declares_no_package() -> None:
    # SPEC.md: method paths are /AdminPortal/...; the course's `package project;` is
    # served as an alias by the portals, not by changing the file.
    assert api_pb2.DESCRIPTOR.package == ""
    assert set(api_pb2.DESCRIPTOR.services_by_name) == {"AdminPortal", "OrderPortal"}
