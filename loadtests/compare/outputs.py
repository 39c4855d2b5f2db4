"""Everything a comparison leaves in its directory: results.json, plots/*.png, report.html."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loadtests.compare.model import Comparison
from loadtests.compare.plots import save_plots
from loadtests.compare.report import write_report
from loadtests.compare.results import write_results


@dataclass(frozen=True)
class Outputs:
    results: Path
    report: Path
    plots: dict[str, Path]


def write_outputs(comparison: Comparison, manifest: Mapping[str, Any] | None = None) -> Outputs:
    """`manifest` goes into results.json as it is (manifest.json is written before the run)."""
    out = comparison.plan.out
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.json"
    document = write_results(comparison, results, manifest)
    plots = save_plots(comparison.runs, out / "plots")
    report = out / "report.html"
    write_report(comparison, plots, document["environment"], report)
    return Outputs(results, report, plots)
