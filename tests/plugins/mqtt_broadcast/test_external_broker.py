"""A configured broker is used as is: here one that wants TLS and a password."""

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.launcher import LaunchError
from core.ports import free_ports
from plugins.mqtt_broadcast import broker as brokers
from tests.plugins.mqtt_broadcast.conftest import StartCluster
from tests.plugins.mqtt_broadcast.support import Servers, create_client, ok, wait_until

USER, PASSWORD = "portal", "s3cret"

SECURE_CONF = """\
# Run as root, Mosquitto would switch to user mosquitto, who cannot read pytest's
# private temporary directory; as any other user this line does nothing.
user root
listener {port} 127.0.0.1
cafile {dir}/ca.pem
certfile {dir}/server.pem
keyfile {dir}/server.key
allow_anonymous false
password_file {dir}/passwords
persistence false
"""


def run(*command: str, cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)


def make_credentials(directory: Path) -> None:
    """A CA, a certificate for 127.0.0.1 signed by it, and a password file."""
    ssl = ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    run(*ssl, "-x509", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=test CA", cwd=directory)
    run(
        *ssl, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=directory
    )
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run(
        "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.ext",
        cwd=directory,
    )  # fmt: skip
    run("mosquitto_passwd", "-c", "-b", "passwords", USER, PASSWORD, cwd=directory)
    (directory / "passwords").chmod(0o600)


class SecureBroker:
    def __init__(self, directory: Path) -> None:
        self.port = free_ports(1)[0]
        config = directory / "secure.conf"
        config.write_text(SECURE_CONF.format(port=self.port, dir=directory))
        executable = brokers.find_mosquitto() or "mosquitto"
        self.log = (directory / "secure.log").open("wb")
        self.process = subprocess.Popen(
            [executable, "-c", str(config)], stdout=self.log, stderr=subprocess.STDOUT
        )
        wait_until(lambda: brokers.listening(self.port, self.process), "mosquitto listens")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()
        self.log.close()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[SecureBroker]:
    tools = ("openssl", "mosquitto_passwd")
    if brokers.find_mosquitto() is None or not all(shutil.which(tool) for tool in tools):
        pytest.skip(f"needs Mosquitto and openssl: {brokers.INSTALL_MOSQUITTO}")
    make_credentials(tmp_path)
    secure = SecureBroker(tmp_path)
    yield secure
    secure.stop()


def test_servers_replicate_through_a_broker_with_tls_and_a_password(
    start_cluster: StartCluster, tmp_path: Path
) -> None:
    cluster = start_cluster(
        ("s1", "s2"), tls=True, ca_file=str(tmp_path / "ca.pem"), username=USER, password=PASSWORD
    )
    assert [node["kind"] for node in cluster.describe()["nodes"]] == ["server", "server"]
    servers = Servers(cluster)
    first, second = servers.addresses
    ok(create_client(servers, first, "secure"))
    wait_until(lambda: servers.client(second, "secure") is not None, "it replicates")
    servers.close()


def test_a_wrong_password_stops_the_server_with_the_brokers_reason(
    start_cluster: StartCluster, tmp_path: Path
) -> None:
    with pytest.raises(LaunchError, match="refused the connection: Not authorized"):
        start_cluster(
            ("s1",), tls=True, ca_file=str(tmp_path / "ca.pem"), username=USER, password="wrong"
        )
