"""Strategy discovery: built-ins, third-party plugins, unknown and duplicate names."""

import types
from collections.abc import Iterator
from pathlib import Path

import pluggy
import pytest

from core import hookspecs, registry
from core.hookspecs import hookimpl
from core.strategy import Option, StrategyDescriptor
from plugins.memory import MemoryReplicator


def _plugin(*names: str) -> types.ModuleType:
    module = types.ModuleType(f"fake_{'_'.join(n.replace('-', '_') for n in names)}")

    @hookimpl
    def testbed_strategies() -> list[StrategyDescriptor]:
        return [StrategyDescriptor(name, f"{name} for tests", MemoryReplicator) for name in names]

    module.testbed_strategies = testbed_strategies  # type: ignore[attr-defined]
    return module


def _manager(*plugins: types.ModuleType) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for plugin in plugins:
        manager.register(plugin)
    return manager


def test_builtins_include_memory() -> None:
    assert "memory" in registry.strategies()
    assert registry.get("memory").description


def test_unknown_strategy_names_the_known_ones() -> None:
    manager = _manager(_plugin("alpha", "beta"))
    with pytest.raises(registry.UnknownStrategy, match=r"'gamma'.*alpha, beta"):
        registry.get("gamma", manager)


def test_two_plugins_cannot_claim_one_name() -> None:
    manager = _manager(_plugin("alpha"), _plugin("alpha", "beta"))
    with pytest.raises(ValueError, match="'alpha'"):
        registry.strategies(manager)


THIRD_PARTY_MODULE = """
from core.hookspecs import hookimpl
from core.strategy import StrategyDescriptor
from plugins.memory import MemoryReplicator


@hookimpl
def testbed_strategies():
    return [StrategyDescriptor("third-party", "third-party for tests", MemoryReplicator)]
"""


@pytest.fixture
def entry_point_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A third-party distribution on sys.path, registered under the entry-point group."""
    (tmp_path / "third_party_strategy.py").write_text(THIRD_PARTY_MODULE)
    dist = tmp_path / "third_party_strategy-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: third-party-strategy\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text("[testbed]\nthird = third_party_strategy\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.plugin_manager.cache_clear()
    yield "third-party"
    registry.plugin_manager.cache_clear()


def test_entry_point_plugins_are_discovered(entry_point_plugin: str) -> None:
    assert registry.get(entry_point_plugin).description == "third-party for tests"
    assert "memory" in registry.strategies()


def test_options_are_checked_and_defaulted() -> None:
    descriptor = StrategyDescriptor(
        "x", "x", MemoryReplicator,
        options={"qos": Option(1, "q"), "ratio": Option(0.5, "r"), "tls": Option(False, "t")},
    )  # fmt: skip
    assert descriptor.resolve({}) == {"qos": 1, "ratio": 0.5, "tls": False}
    assert descriptor.resolve({"qos": "2", "ratio": 1, "tls": "yes"}) == {
        "qos": 2, "ratio": 1.0, "tls": True,
    }  # fmt: skip
    with pytest.raises(ValueError, match=r"no option 'qso'.*qos"):
        descriptor.resolve({"qso": 1})
    with pytest.raises(ValueError, match=r"'qos'.*int"):
        descriptor.resolve({"qos": "two"})
    with pytest.raises(ValueError, match=r"'tls'.*bool"):
        descriptor.resolve({"tls": "maybe"})
