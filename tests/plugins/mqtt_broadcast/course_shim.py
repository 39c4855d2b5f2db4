"""Run one of the course's Part 1 servers, unmodified, as a test's neighbour.

Usage: python course_shim.py CHECKOUT MODULE BROKER_PORT GRPC_PORT, where CHECKOUT is a
checkout of the course's repository at its Part 1 (github.com/Alba-22/
projeto-sistemas-distribuidos, commit 36f15e5) and MODULE `admin.admin_portal_server`
or `order.order_portal_server`. Nothing of theirs is copied here; three things
around their code change, so that it runs in this project's venv and stays private:

- it was written for paho-mqtt 1.6 (`Client(client_id)`); paho 2 takes the callback
  API version first, and VERSION1 keeps their callbacks' signatures;
- it connects to localhost:1884; here, to the test's broker on loopback;
- its gRPC server listens on [::]:PORT, every interface; here, on 127.0.0.1 only.
"""

import runpy
import sys
from typing import Any

import grpc
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


def main() -> None:
    checkout, module, broker_port, grpc_port = sys.argv[1:5]

    class SeedEraClient(mqtt.Client):
        def __init__(self, client_id: str = "", *args: Any, **kwargs: Any) -> None:
            super().__init__(CallbackAPIVersion.VERSION1, client_id, *args, **kwargs)

        def connect(self, host: str, port: int = 1883, *args: Any, **kwargs: Any) -> Any:
            return super().connect("127.0.0.1", int(broker_port), *args, **kwargs)

    make_server = grpc.server

    def loopback_server(*args: Any, **kwargs: Any) -> grpc.Server:
        server = make_server(*args, **kwargs)
        add_port = server.add_insecure_port

        def on_loopback(address: str) -> int:
            return add_port(f"127.0.0.1:{address.rpartition(':')[2]}")

        server.add_insecure_port = on_loopback  # type: ignore[method-assign]
        return server

    mqtt.Client = SeedEraClient  # type: ignore[misc,assignment]
    grpc.server = loopback_server
    sys.path.insert(0, checkout)  # their `proto` package, not this project's
    sys.argv = [module, grpc_port]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
