"""Strategy discovery: built-ins, third-party plugins, unknown and duplicate names."""

import os
import subprocess
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pluggy
import pytest

from core import hookspecs, registry
from core.hookspecs import hookimpl
from core.strategy import Option, OptionValue, StrategyDescriptor
from plugins.memory import MemoryReplicator

BUILTINS_0 = registry.BUILTINS[0]


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


Install = Callable[[str, str], None]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Put third-party distributions on sys.path: `install(module, source)` registers
    module `module` under the entry-point group, as its name; the registry reloads."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def install(module: str, source: str) -> None:
        (tmp_path / f"{module}.py").write_text(source)
        dist = tmp_path / f"{module}-1.0.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
        (dist / "entry_points.txt").write_text(f"[testbed]\n{module} = {module}\n")
        monkeypatch.delitem(sys.modules, module, raising=False)

    registry.plugin_manager.cache_clear()
    yield install
    registry.plugin_manager.cache_clear()


@pytest.fixture
def entry_point_plugin(install: Install) -> str:
    """A third-party distribution on sys.path, registered under the entry-point group."""
    install("third_party_strategy", THIRD_PARTY_MODULE)
    return "third-party"


def test_entry_point_plugins_are_discovered(entry_point_plugin: str) -> None:
    assert registry.get(entry_point_plugin).description == "third-party for tests"
    assert "memory" in registry.strategies()
    assert registry.skipped() == []


BROKEN = {
    "raises_on_import": (
        "raise RuntimeError('this plugin is broken')\n",
        "skipped the testbed plugin raises_on_import = raises_on_import: "
        "RuntimeError: this plugin is broken",
    ),
    "hook_raises": (
        "from core.hookspecs import hookimpl\n\n\n"
        "@hookimpl\ndef testbed_strategies():\n    raise KeyError('no descriptor')\n",
        "skipped the testbed plugin hook_raises = hook_raises: its hook testbed_strategies raised "
        "KeyError: 'no descriptor'",
    ),
    "misspelled_hook": (
        "from core.hookspecs import hookimpl\n\n\n"
        "@hookimpl\ndef testbed_strategy():\n    return []\n",
        "skipped the testbed plugin misspelled_hook = misspelled_hook: its hook "
        "implementations 'testbed_strategy' match no hook spec of testbed "
        "(testbed_commands, testbed_node_kinds, testbed_strategies)",
    ),
}


@pytest.mark.parametrize("module", sorted(BROKEN))
def test_a_broken_plugin_is_skipped_with_its_reason_and_the_others_load(
    install: Install, module: str, caplog: pytest.LogCaptureFixture
) -> None:
    source, reason = BROKEN[module]
    install(module, source)
    install("third_party_strategy", THIRD_PARTY_MODULE)
    found = registry.strategies()
    assert {"memory", "mqtt-broadcast", "pysyncobj-raft", "third-party"} <= set(found)
    assert "server" in registry.node_kinds()
    assert [str(skip) for skip in registry.skipped()] == [reason]
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [reason]
    assert not registry.plugin_manager().has_plugin(module), "a skipped plugin stays out"
    registry.strategies()  # asked again: still skipped, and reported once
    assert len(registry.skipped()) == 1


def test_a_builtins_error_is_not_skipped() -> None:
    def broken() -> list[StrategyDescriptor]:
        raise RuntimeError("a bug of ours")

    manager = _manager()
    manager.register(types.SimpleNamespace(testbed_strategies=hookimpl(broken)), name=BUILTINS_0)
    with pytest.raises(RuntimeError, match="a bug of ours"):
        registry.strategies(manager)


def test_testbed_strategies_lists_the_builtins_and_names_a_broken_plugin(
    install: Install, tmp_path: Path
) -> None:
    source, reason = BROKEN["raises_on_import"]
    install("raises_on_import", source)
    listing = subprocess.run(
        [sys.executable, "-m", "core.cli.main", "strategies"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])},
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    assert "memory" in listing.stdout and "pysyncobj-raft" in listing.stdout
    assert listing.stderr.strip().splitlines() == [reason]


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
    with pytest.raises(
        ValueError, match=r"option 'qos' of strategy 'x' must be an integer, not 'two'"
    ):
        descriptor.resolve({"qos": "two"})
    with pytest.raises(ValueError, match=r"'ratio'.* must be a number, not '1,5'"):
        descriptor.resolve({"ratio": "1,5"})
    with pytest.raises(ValueError, match=r"'tls'.* must be true or false, not 'maybe'"):
        descriptor.resolve({"tls": "maybe"})


def test_resolve_runs_the_strategys_own_rules_on_the_resolved_values() -> None:
    seen: list[dict[str, object]] = []

    def check(options: Mapping[str, OptionValue]) -> None:
        seen.append(dict(options))
        if int(options["qos"]) > 2:
            raise ValueError(f"option qos must be 0, 1 or 2, not {options['qos']}")

    descriptor = StrategyDescriptor(
        "x", "x", MemoryReplicator, options={"qos": Option(1, "q")}, check=check
    )
    assert descriptor.resolve({"qos": "2"}) == {"qos": 2}
    assert seen == [{"qos": 2}]  # given the values converted, defaults filled in
    with pytest.raises(ValueError, match="option qos must be 0, 1 or 2, not 3"):
        descriptor.resolve({"qos": "3"})


@pytest.mark.parametrize(
    ("strategy", "options", "rule"),
    [
        ("mqtt-broadcast", {"qos": 3}, "option qos must be 0, 1 or 2, not 3"),
        ("mqtt-broadcast", {"broker": "nohost"}, "option broker: address 'nohost'"),
        ("pysyncobj-raft", {"read": "fast"}, "option read must be one of linearizable, local"),
        ("pysyncobj-raft-partitioned", {"cache_size": -1}, "option cache_size must be 0"),
    ],
)
def test_the_built_in_strategies_refuse_a_bad_value_when_resolved(
    strategy: str, options: dict[str, object], rule: str
) -> None:
    with pytest.raises(ValueError, match=rule):
        registry.strategies()[strategy].resolve(options)
    registry.strategies()[strategy].resolve({})  # the defaults keep every rule
