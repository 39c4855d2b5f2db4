"""`testbed compare --replay`: an earlier comparison's plan, rebuilt from its manifest.

The manifest is found in DIR/manifest.json, in results.json's "manifest", or given
as a file. `plan_given` turns it into the values `build_plan` takes, so the plan
is checked the one way every plan is. Secrets are masked in a manifest: a replay
gets them again through `-o`, the only flag besides `--out` it takes.
"""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from loadtests.compare.manifest import FILE, FORMAT, VOLATILE
from loadtests.compare.model import MASK
from loadtests.compare.plan import PlanError

RESULTS = "results.json"


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest that `path` (a directory, results.json or manifest.json) holds."""
    if path.is_dir():
        found = [path / name for name in (FILE, RESULTS) if (path / name).is_file()]
        if not found:
            raise PlanError(f"--replay {str(path)!r}: the directory holds no {FILE} or {RESULTS}")
        path = found[0]
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise PlanError(f"--replay {str(path)!r}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlanError(f"--replay {str(path)!r} cannot be read as JSON: {error}") from None
    if isinstance(document, dict) and isinstance(document.get("manifest"), dict):
        document = document["manifest"]  # results.json carries it
    if not isinstance(document, dict) or "format" not in document:
        raise PlanError(f'--replay {str(path)!r} holds no manifest (no "format" key)')
    if document["format"] != FORMAT:
        raise PlanError(
            f"--replay {str(path)!r}: manifest format {document['format']!r} is not one "
            f"this testbed reads (it reads format {FORMAT}); replay it with the testbed "
            "that wrote it"
        )
    return document


def plan_given(document: Mapping[str, Any], out: Path | None, options: list[str]) -> dict[str, Any]:
    """The values of `build_plan` that rebuild the manifest's plan, written to `out`
    (None: a new directory); `options` (STRATEGY.KEY=VALUE) give the masked secrets."""
    try:
        return _given(document, out, options)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PlanError(f"--replay: the manifest is malformed (at {error!s}); it cannot "
                        "be replayed") from None  # fmt: skip


def _given(document: Mapping[str, Any], out: Path | None, options: list[str]) -> dict[str, Any]:
    sweep = document["sweep"]
    given: dict[str, Any] = {
        "strategies": ",".join(_runs(document["strategies"])),
        "scenario": document["scenario"],
        "users": ",".join(str(int(n)) for n in document["users"]),
        "duration": str(int(document["duration_s"])),
        "servers": str(int(document["servers_requested"])),
        "faults": ",".join(document["faults"]) or "none",
        "fault_at": _number(document["fault_at_s"]),
        "fault_for": _number(document["fault_for_s"]),
        "call_timeout": _number(document["call_timeout_s"]),
        "seed": str(int(document["seed"])),
        "settle_timeout": _number(document["settle_timeout_s"]),
        "processes": str(int(document["processes"])),
        "repeat": str(int(document["repeat"])),
        "rate": _number(document["rate"]),
        "sweep": sweep is not None,
        "option": _options(document["strategies"], options),
        "out": out,
    }
    if sweep is not None:
        given |= {
            "sweep_from": _number(sweep["start"]),
            "sweep_factor": _number(sweep["factor"]),
            "sweep_steps": str(int(sweep["steps"])),
            "p99_bound": _number(sweep["p99_ms"]),
            "error_bound": _number(sweep["error_share"]),
        }
    return given


def _runs(strategies: Mapping[str, Any]) -> list[str]:
    """The recorded runs as `--strategies` items: a strategy's name, or LABEL=STRATEGY.
    A manifest from before labels names no strategy: each run is then its strategy."""
    items = []
    for name, entry in strategies.items():
        strategy = entry.get("strategy", name)
        if not isinstance(strategy, str):
            raise TypeError(f"strategy {strategy!r} is not a name")
        items.append(name if strategy == name else f"{name}={strategy}")
    return items


def _number(value: object) -> str | None:
    """A recorded number as text `build_plan` parses back to the same float."""
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not a number")
    return repr(float(value))


def _options(strategies: Mapping[str, Any], given: list[str]) -> list[str]:
    """The recorded options as STRATEGY.KEY=VALUE, the masked ones from `given`."""
    recorded = {
        f"{name}.{key}": str(value)
        for name, entry in strategies.items()
        for key, value in entry["options"].items()
    }
    masked = sorted(item for item, value in recorded.items() if value == MASK)
    supplied = dict(item.partition("=")[::2] for item in given)
    extra = sorted(set(supplied) - set(masked))
    if extra:
        raise PlanError(
            f"--replay takes its options from the manifest; -o is only for the secrets it "
            f"masks ({', '.join(masked) or 'none'}), not {', '.join(extra)}"
        )
    missing = [item for item in masked if item not in supplied]
    if missing:
        raise PlanError(
            f"the manifest masks {', '.join(missing)} (a secret): give it again with "
            f"-o {missing[0]}=VALUE"
        )
    return [f"{item}={supplied.get(item, value)}" for item, value in recorded.items()]


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The manifest keys whose values differ, beyond what every replay changes."""
    keys = (set(old) | set(new)) - set(VOLATILE)
    return sorted(key for key in keys if old.get(key) != new.get(key))
