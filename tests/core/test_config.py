"""The cluster file: parsing, defaults, errors, and the example file shipped in the repo."""

from pathlib import Path

import pytest

from core import config

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_describe_one_local_server() -> None:
    cluster = config.load(None)
    assert cluster.strategy == "memory"
    assert [s.address for s in cluster.servers] == ["127.0.0.1:50051"]
    assert cluster.servers[0].portals == ("admin", "order")


def test_a_file_round_trips_through_to_mapping(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[strategy]\nname = "memory"\n[grpc]\nworkers = 4\nmax_streams = 2\n'
        '[[servers]]\nname = "a"\naddress = "127.0.0.1:6000"\nportals = ["admin"]\n'
        'data_dir = "/tmp/a"\n'
    )
    cluster = config.load(path)
    assert cluster.grpc.workers == 4
    assert cluster.server("a").portals == ("admin",)
    assert cluster.server("a").settings == {"data_dir": "/tmp/a"}
    assert config.from_mapping(config.to_mapping(cluster)) == cluster


def test_example_file_is_valid() -> None:
    cluster = config.load(ROOT / "testbed.example.toml")
    assert cluster.servers


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("strategy = [", "not valid TOML"),
        ('[[servers]]\naddress = "nohost"\n', "HOST:PORT"),
        ('[[servers]]\naddress = "h:99999"\n', "out of range"),
        ('[[servers]]\nportals = ["shop"]\n', "admin, order or both"),
        ("[grpc]\nthreads = 3\n", "unknown \\[grpc\\] setting"),
        ("[grpc]\nworkers = 32\n", "max_streams \\(256\\) must be at least 1 and below workers"),
        ("[grpc]\nstream_timeout_seconds = 0\n", "stream_timeout_seconds must be a positive"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(config.ConfigError, match=message):
        config.load(path)


def test_a_missing_file_is_named() -> None:
    with pytest.raises(config.ConfigError, match="does not exist"):
        config.load("/nonexistent/cluster.toml")


def test_unknown_server_name_lists_the_known_ones() -> None:
    with pytest.raises(config.ConfigError, match="s1"):
        config.load(None).server("s9")


def test_flags_override_the_file_strategy_options() -> None:
    base = config.ClusterConfig(strategy="memory", options={"a": 1})
    assert base.with_strategy(None, {"b": 2}).options == {"a": 1, "b": 2}
    assert base.with_strategy("other", {"b": 2}).options == {"b": 2}
