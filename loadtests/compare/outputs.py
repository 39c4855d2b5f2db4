"""Everything a comparison leaves in its directory: results.json, plots/*.png, report.html."""

from dataclasses import dataclass
from pathlib import Path

from loadtests.compare.model import Comparison
from loadtests.compare.plots import save_plots
from loadtests.compare.report import write_report
from loadtests.compare.results import write_results


@dataclass(frozen=True)
class Outputs:
    results: Path
    report: Path
    plots: dict[str, Path]


def write_outputs(comparison: Comparison) -> Outputs:
    out = comparison.plan.out
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.json"
    document = write_results(comparison, results)
    plots = save_plots(comparison.runs, out / "plots")
    report = out / "report.html"
    write_report(comparison, plots, document["environment"], report)
    return Outputs(results, report, plots)
