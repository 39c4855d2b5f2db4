"""`testbed compare`: the same load on every strategy, measured and checked side by side.

`compare(plan, progress)` runs it (runner.py) and returns a `Comparison`;
`write_outputs` leaves results.json, the plots and report.html in the plan's
directory; `summary_table` is what the terminal shows at the end.
"""

from loadtests.compare.model import Comparison, FaultWindow, LoadRun, StrategyRun
from loadtests.compare.outputs import Outputs, write_outputs
from loadtests.compare.plan import SCENARIOS, Plan, PlanError, build_plan, load_model
from loadtests.compare.progress import Progress, summary_table
from loadtests.compare.runner import compare

__all__ = [
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
    "load_model",
    "summary_table",
    "write_outputs",
]
