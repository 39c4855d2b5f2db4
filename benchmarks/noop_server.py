"""A gRPC server of both portals that does nothing: the load generator's own ceiling.

Every RPC of AdminPortal and OrderPortal (proto/api.proto) is answered at once with
a fixed reply that SPEC.md allows, so the load's scenarios run on it as on a real
server: a write gets `Reply(error=0)` and the `testbed-outcome: done` trailer; a
retrieve gets the record asked for, with fixed data (a client with a name, a product
with a price and stock, an order of one line); RetrieveClientOrders streams one such
order of that client. No domain, no replication, no state: whatever the generator
measures against it is the generator's cost.

It runs on grpc.aio (one thread, no pool to hand calls to), the cheapest grpcio
server, so that it stays far from its own ceiling while the generator meets its.

    python -m benchmarks.noop_server --ready-file FILE

serves on 127.0.0.1 and a free port until SIGINT or SIGTERM; FILE gets
`{"address", "pid"}` once it serves. `running()` does that in a subprocess.
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import grpc

from proto import api_pb2 as pb
from proto import api_pb2_grpc

DONE: Final = (("testbed-outcome", "done"),)
CLIENT: Final = json.dumps({"name": "noop"})
PRODUCT: Final = json.dumps({"name": "noop", "price": 1, "quantity": 100})
LINE: Final = {"PID": "noop-p", "name": "noop", "quantity": 1, "price": 1}
START_TIMEOUT_S: Final = 30.0
STOP_TIMEOUT_S: Final = 10.0


def _done(context: grpc.aio.ServicerContext[Any, Any]) -> pb.Reply:
    context.set_trailing_metadata(DONE)
    return pb.Reply(error=0)


def _order(oid: str, cid: str) -> pb.Order:
    data = {"OID": oid, "CID": cid, "products": [LINE], "total": 1}
    return pb.Order(OID=oid, CID=cid, data=json.dumps(data))


class NoopAdmin(api_pb2_grpc.AdminPortalServicer):
    async def CreateClient(self, request: pb.Client, context: Any) -> pb.Reply:
        return _done(context)

    async def RetrieveClient(self, request: pb.ID, context: Any) -> pb.Client:
        return pb.Client(CID=request.ID, data=CLIENT)

    async def UpdateClient(self, request: pb.Client, context: Any) -> pb.Reply:
        return _done(context)

    async def DeleteClient(self, request: pb.ID, context: Any) -> pb.Reply:
        return _done(context)

    async def CreateProduct(self, request: pb.Product, context: Any) -> pb.Reply:
        return _done(context)

    async def RetrieveProduct(self, request: pb.ID, context: Any) -> pb.Product:
        return pb.Product(PID=request.ID, data=PRODUCT)

    async def UpdateProduct(self, request: pb.Product, context: Any) -> pb.Reply:
        return _done(context)

    async def DeleteProduct(self, request: pb.ID, context: Any) -> pb.Reply:
        return _done(context)


class NoopOrders(api_pb2_grpc.OrderPortalServicer):
    async def CreateOrder(self, request: pb.Order, context: Any) -> pb.Reply:
        return _done(context)

    async def RetrieveOrder(self, request: pb.ID, context: Any) -> pb.Order:
        return _order(request.ID, "noop-c")

    async def UpdateOrder(self, request: pb.Order, context: Any) -> pb.Reply:
        return _done(context)

    async def DeleteOrder(self, request: pb.ID, context: Any) -> pb.Reply:
        return _done(context)

    async def RetrieveClientOrders(self, request: pb.ID, context: Any) -> AsyncIterator[pb.Order]:
        yield _order("noop-o", request.ID)


async def _serve(ready_file: Path) -> None:
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    api_pb2_grpc.add_AdminPortalServicer_to_server(NoopAdmin(), server)
    api_pb2_grpc.add_OrderPortalServicer_to_server(NoopOrders(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    partial = ready_file.with_name(ready_file.name + ".partial")
    partial.write_text(json.dumps({"address": f"127.0.0.1:{port}", "pid": os.getpid()}))
    partial.replace(ready_file)  # whole or absent: the parent polls for it
    await stopping.wait()
    await server.stop(1.0)


@dataclass(frozen=True)
class NoopServer:
    address: str
    pid: int


def _wait_ready(process: subprocess.Popen[bytes], ready_file: Path) -> NoopServer:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready_file.exists():
        if process.poll() is not None:
            raise RuntimeError(f"the no-op server exited with code {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the no-op server did not serve within {START_TIMEOUT_S:.0f} s")
        time.sleep(0.05)
    document = json.loads(ready_file.read_text())
    return NoopServer(document["address"], document["pid"])


@contextmanager
def running() -> Iterator[NoopServer]:
    """A no-op server in a subprocess of its own (its own GIL) until the block ends."""
    with tempfile.TemporaryDirectory(prefix="noop-server-") as directory:
        ready_file = Path(directory) / "ready.json"
        command = [sys.executable, "-m", "benchmarks.noop_server", "--ready-file", str(ready_file)]
        process = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[1])
        try:
            yield _wait_ready(process, ready_file)
        finally:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.noop_server")
    parser.add_argument("--ready-file", type=Path, required=True, help="written once it serves")
    asyncio.run(_serve(parser.parse_args(argv).ready_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
