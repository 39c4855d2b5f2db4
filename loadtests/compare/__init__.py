"""`testbed compare`: the same load on every strategy, measured and checked side by side.

`compare(plan, progress)` runs it (runner.py) and returns a `Comparison`;
`manifest` and `write_manifest` record what fixed the plan (manifest.json, which
`read_manifest` and `plan_given` turn back into a plan for `--replay`);
`write_outputs` leaves results.json, the plots and report.html in the plan's
directory; `summary_table` is what the terminal shows at the end.
"""

from loadtests.compare.manifest import manifest, write_manifest
from loadtests.compare.model import Comparison, FaultWindow, LoadRun, StrategyRun
from loadtests.compare.outputs import Outputs, write_outputs
from loadtests.compare.plan import DEFAULTS, SCENARIOS, Plan, PlanError, build_plan, load_model
from loadtests.compare.progress import Progress, summary_table
from loadtests.compare.replay import differences, plan_given, read_manifest
from loadtests.compare.runner import compare

__all__ = [
    "DEFAULTS",
    "SCENARIOS",
    "Comparison",
    "FaultWindow",
    "LoadRun",
    "Outputs",
    "Plan",
    "PlanError",
    "Progress",
    "StrategyRun",
    "build_plan",
    "compare",
    "differences",
    "load_model",
    "manifest",
    "plan_given",
    "read_manifest",
    "summary_table",
    "write_manifest",
    "write_outputs",
]
